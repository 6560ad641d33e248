// The steps module reads what a configured touchpoint's steps wait for:
// a text on the page, the address (a client-side route changes it without
// a load), and the document's clock. It never acts: the visitor's hands
// do (probe/browser/hands.go).
({
  norm(s) { return (s || '').replace(/\s+/g, ' ').trim().toLowerCase(); },
  // hasText: the text shows on the page (rendered text, case and spaces
  // ignored).
  hasText(arg) {
    const b = document.body;
    return !!b && this.norm(b.innerText).includes(this.norm(arg.text));
  },
  // where: the address and the clock (epoch ms) of this document now.
  where() { return { href: location.href, at: performance.timeOrigin + performance.now() }; },
})
