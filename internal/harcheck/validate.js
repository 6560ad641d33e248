// Reads a HAR file with an independent reader (npm har-validator, which
// checks it against the HAR 1.2 schema) and prints how many pages and
// entries it holds, or why it is not a HAR. Usage: node validate.js FILE
'use strict';
const fs = require('fs');
const validate = require('har-validator');

const har = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
validate.har(har).then(() => {
  console.log(JSON.stringify({ valid: true, pages: har.log.pages.length, entries: har.log.entries.length,
    urls: har.log.entries.map((e) => e.request.url) }));
}).catch((err) => {
  console.log(JSON.stringify({ valid: false, errors: (err.errors || [err.message]).map((e) => JSON.stringify(e)) }));
  process.exitCode = 1;
});
