package deploy_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const dockerfilePath = "container/Dockerfile"

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	line int
	cmd  string // upper case: FROM, RUN, ...
	args string
}

func parseDockerfile(t *testing.T, path string) []instruction {
	t.Helper()
	var out []instruction
	sc := bufio.NewScanner(bytes.NewReader(read(t, path)))
	n, start, buf := 0, 0, ""
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue // comments may sit between continuation lines
		}
		if buf == "" {
			start = n
		}
		if s, ok := strings.CutSuffix(line, "\\"); ok {
			buf += s + " "
			continue
		}
		buf += line
		cmd, args, _ := strings.Cut(buf, " ")
		out = append(out, instruction{line: start, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)})
		buf = ""
	}
	if buf != "" {
		t.Fatalf("%s:%d: the file ends inside a continued line", path, start)
	}
	return out
}

// execForm decodes a JSON-array (exec form) argument list.
func execForm(t *testing.T, in instruction) []string {
	t.Helper()
	var v []string
	if err := json.Unmarshal([]byte(in.args), &v); err != nil {
		t.Fatalf("%s:%d: %s %s is not the exec (JSON array) form: %v", dockerfilePath, in.line, in.cmd, in.args, err)
	}
	return v
}

func TestDockerfileHasTheMustHaves(t *testing.T) {
	ins := parseDockerfile(t, dockerfilePath)
	by := map[string][]instruction{}
	for _, in := range ins {
		by[in.cmd] = append(by[in.cmd], in)
	}

	// Base images: pinned tags, never latest; Debian bookworm at run time.
	stages := map[string]bool{}
	var runtimeStage int
	for i, in := range ins {
		if in.cmd != "FROM" {
			continue
		}
		f := strings.Fields(in.args)
		image := f[0]
		if strings.HasPrefix(image, "--") {
			t.Fatalf("line %d: FROM flags are not expected: %s", in.line, in.args)
		}
		_, tag, ok := strings.Cut(image, ":")
		if !ok || tag == "" || tag == "latest" || strings.Contains(tag, "$") {
			t.Errorf("line %d: FROM %s: pin a tag, not latest", in.line, image)
		}
		if len(f) == 3 && strings.EqualFold(f[1], "AS") {
			stages[f[2]] = true
		}
		runtimeStage = i
	}
	if last := ins[runtimeStage]; !strings.HasPrefix(last.args, "debian:bookworm-slim") {
		t.Errorf("the runtime stage is FROM %s, want debian:bookworm-slim", last.args)
	}
	runtime := ins[runtimeStage:]

	// apt: update and install in one layer, the packages the image needs.
	var installed []string
	for _, in := range runtime {
		if in.cmd != "RUN" || !strings.Contains(in.args, "apt-get install") {
			continue
		}
		upd := strings.Index(in.args, "apt-get update")
		inst := strings.Index(in.args, "apt-get install")
		if upd < 0 || upd > inst {
			t.Errorf("line %d: apt-get install without apt-get update before it in the same RUN", in.line)
		}
		if !strings.Contains(in.args, "--no-install-recommends") || !strings.Contains(in.args, "-y") {
			t.Errorf("line %d: apt-get install wants -y --no-install-recommends", in.line)
		}
		if !strings.Contains(in.args, "rm -rf /var/lib/apt/lists") {
			t.Errorf("line %d: remove /var/lib/apt/lists in the same layer", in.line)
		}
		rest := in.args[inst:]
		if i := strings.Index(rest, "&&"); i >= 0 {
			rest = rest[:i]
		}
		installed = append(installed, strings.Fields(rest)...)
	}
	for _, pkg := range []string{"chromium", "tini", "ca-certificates", "fonts-liberation"} {
		if !slices.Contains(installed, pkg) {
			t.Errorf("the runtime stage does not install %s (installs %v)", pkg, installed)
		}
	}

	// COPY --from names a stage that exists.
	for _, in := range runtime {
		if in.cmd == "COPY" && strings.HasPrefix(in.args, "--from=") {
			from := strings.Fields(strings.TrimPrefix(in.args, "--from="))[0]
			if !stages[from] {
				t.Errorf("line %d: COPY --from=%s names no stage (have %v)", in.line, from, stages)
			}
		}
	}

	// A non-root numeric user (Kubernetes' runAsNonRoot checks numbers only).
	users := by["USER"]
	if len(users) == 0 {
		t.Fatal("no USER: the image would run as root")
	}
	user := users[len(users)-1].args
	id, _, _ := strings.Cut(user, ":")
	if n, err := strconv.Atoi(id); err != nil || n == 0 {
		t.Errorf("USER %s: want a numeric non-root uid", user)
	} else if n != uid {
		t.Errorf("USER %s: the Kubernetes manifests run as %d", user, uid)
	}

	// tini as PID 1, the daemon behind it.
	eps := by["ENTRYPOINT"]
	if len(eps) != 1 {
		t.Fatalf("%d ENTRYPOINTs, want one", len(eps))
	}
	if ep := execForm(t, eps[0]); !slices.Equal(ep, []string{"/usr/bin/tini", "--", binPath}) {
		t.Errorf("ENTRYPOINT %v, want [/usr/bin/tini -- %s]", ep, binPath)
	}

	// All interfaces only on request, and on the port EXPOSE names.
	cmds := by["CMD"]
	if len(cmds) != 1 {
		t.Fatalf("%d CMDs, want one", len(cmds))
	}
	cmd := execForm(t, cmds[0])
	if len(cmd) < 3 || cmd[0] != "run" || !slices.Contains(cmd, "-listen") || cmd[slices.Index(cmd, "-listen")+1] != "0.0.0.0:"+port {
		t.Errorf("CMD %v, want run -listen 0.0.0.0:%s (explicit: the default is loopback)", cmd, port)
	}
	if ex := by["EXPOSE"]; len(ex) != 1 || ex[0].args != port {
		t.Errorf("EXPOSE %v, want %s", ex, port)
	}

	// The health check asks the daemon on its port.
	hc := by["HEALTHCHECK"]
	if len(hc) != 1 || !strings.Contains(hc[0].args, "http://127.0.0.1:"+port+"/-/healthy") {
		t.Errorf("HEALTHCHECK %v, want one on http://127.0.0.1:%s/-/healthy", hc, port)
	}
	if len(hc) == 1 && strings.Contains(hc[0].args, "curl") && !slices.Contains(installed, "curl") {
		t.Error("the HEALTHCHECK uses curl, which the image does not install")
	}

	// HOME writable by the user, TMPDIR short (Chromium's socket path).
	var env []string
	for _, in := range by["ENV"] {
		env = append(env, in.args)
	}
	if !slices.Contains(env, "TMPDIR=/tmp") {
		t.Errorf("ENV %v: want TMPDIR=/tmp", env)
	}
	home := regexp.MustCompile(`--home-dir (\S+) .*--create-home|--create-home .*--home-dir (\S+)`)
	var useradd string
	for _, in := range runtime {
		if in.cmd == "RUN" && strings.Contains(in.args, "useradd") {
			useradd = in.args
		}
	}
	m := home.FindStringSubmatch(useradd)
	if m == nil {
		t.Fatalf("no useradd --create-home --home-dir DIR in the runtime stage")
	}
	dir := m[1] + m[2]
	if !slices.Contains(env, "HOME="+dir) {
		t.Errorf("ENV %v: want HOME=%s (the user's created home)", env, dir)
	}
	if !strings.Contains(useradd, "--uid "+strconv.Itoa(uid)) {
		t.Errorf("useradd %q: want --uid %d", useradd, uid)
	}
}

// The build stage builds what the repository has.
func TestDockerfileBuildsThisRepository(t *testing.T) {
	for _, in := range parseDockerfile(t, dockerfilePath) {
		if in.cmd == "RUN" && strings.Contains(in.args, "go build") {
			pkg := strings.Fields(in.args)
			target := pkg[len(pkg)-1]
			if _, err := os.Stat(filepath.Join("..", target, "main.go")); err != nil {
				t.Errorf("line %d: go build %s: %v", in.line, target, err)
			}
			if !strings.Contains(in.args, "-X main.version=") {
				t.Errorf("line %d: the build does not stamp main.version", in.line)
			}
		}
		if in.cmd == "COPY" && strings.HasPrefix(in.args, "go.mod") {
			for _, f := range []string{"go.mod", "go.sum"} {
				if _, err := os.Stat(filepath.Join("..", f)); err != nil {
					t.Errorf("line %d: COPY %s: %v", in.line, f, err)
				}
			}
		}
	}
}

// The image builds from this repository and its binary runs. It needs a
// container engine, which CI machines do not have: the test then skips
// with a reason on scripts/test.sh's allow-list ("docker: ...").
func TestDockerBuildsTheImage(t *testing.T) {
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("docker: not installed, no image built")
	}
	if out, err := run(t, ".", docker, "info", "--format", "{{.ServerVersion}}"); err != nil {
		t.Skipf("docker: no container engine here, no image built (%s)", firstLine(out))
	}
	image := "touchprobe-test:" + strconv.Itoa(os.Getpid())
	if out, err := runFor(t, 30*time.Minute, "..", docker, "build", "-f", filepath.Join("deploy", dockerfilePath), "-t", image, "."); err != nil {
		t.Fatalf("docker build: %v\n%s", err, out)
	}
	t.Cleanup(func() { _, _ = run(t, ".", docker, "image", "rm", "-f", image) })
	out, err := run(t, ".", docker, "run", "--rm", image, "version")
	if err != nil || !strings.HasPrefix(out, "touchprobe ") {
		t.Errorf("docker run %s version: %v\n%s", image, err, out)
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
