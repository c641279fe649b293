#!/usr/bin/env bash
# Runs an image tarball from `-Pimages` without a container engine (as root, Linux): unpacks its layers into DIR,
# then, in a new mount+PID namespace with /proc, /dev and /sys, chroots there, changes to the image's WorkingDir, takes
# its User, clears the environment to its Env and execs its Entrypoint + Cmd. A smoke test of the image's
# filesystem, not a container runtime (no cgroups, no network namespace, no seccomp).
# Usage: chroot-run.sh IMAGE.tar DIR [ARG...]   (ARGs replace the image's Cmd)
#   CHROOT_RUN_COPY="HOSTPATH=IMAGEPATH ..." copies files or directories into the unpacked image first (made
#   the image user's), e.g. a device's data and the coordinator's signing-key.pub for an agent.
set -euo pipefail
tarball=$(realpath "$1"); dir=$2; shift 2
rm -rf "$dir"; mkdir -p "$dir/oci" "$dir/root/proc" "$dir/root/dev" "$dir/root/sys"
tar xf "$tarball" -C "$dir/oci"
root=$(realpath "$dir/root")
exec unshare -m -p -f -- python3 - "$dir/oci" "$root" "$@" <<'PY'
import json, os, subprocess, sys
oci, root, args = sys.argv[1], sys.argv[2], sys.argv[3:]
blob = lambda dg: f"{oci}/blobs/{dg.replace(':', '/')}"
m = json.load(open(blob(json.load(open(f"{oci}/index.json"))["manifests"][0]["digest"])))
c = json.load(open(blob(m["config"]["digest"])))["config"]
for layer in m["layers"]:
    subprocess.run(["tar", "xzf", blob(layer["digest"]), "-C", root], check=True, stderr=subprocess.DEVNULL)
# the root a mount point of its own, as in a container (Java's FileStore looks it up in /proc/self/mounts)
for spec in os.environ.get("CHROOT_RUN_COPY", "").split():
    src, dst = spec.split("=", 1)
    os.makedirs(os.path.dirname(root + dst), exist_ok=True)
    subprocess.run(["cp", "-r", src, root + dst], check=True)
    subprocess.run(["chown", "-R", c.get("User", "0:0"), root + dst], check=True)
subprocess.run(["mount", "--bind", root, root], check=True)
subprocess.run(["mount", "-t", "proc", "proc", f"{root}/proc"], check=True)
subprocess.run(["mount", "--bind", "/dev", f"{root}/dev"], check=True)
subprocess.run(["mount", "--rbind", "/sys", f"{root}/sys"], check=True)
uid, _, gid = c.get("User", "0:0").partition(":")
env = dict(e.split("=", 1) for e in c.get("Env", []))
argv = c["Entrypoint"] + (args or c.get("Cmd", []))
os.chroot(root); os.chdir(c.get("WorkingDir", "/"))
os.setgroups([]); os.setgid(int(gid or uid)); os.setuid(int(uid))
os.execve(argv[0], argv, env)
PY
