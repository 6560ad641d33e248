// Package deploy holds the files that run touchprobe as a service: a systemd
// unit, a container image, Kubernetes manifests and Prometheus scrape configs
// (see README.md). It has no code; its tests check those files.
package deploy
