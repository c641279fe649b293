#!/usr/bin/env bash
# Builds the non-Java part of the Jib images (profile `images`, coordinator/ and edge-agent/ pom.xml) into OUT:
#   OUT/opt/jre        a jlink runtime of MODULES from JDK (default: this machine's JDK 17)
#   OUT/lib*, OUT/usr  the glibc, libz, libstdc++ and libgcc_s files that runtime and DJL's PyTorch natives load,
#                      copied from the build host (the image base is `scratch`: no registry is reachable here)
#   OUT/etc            passwd/group with user flock (65532), nsswitch.conf
#   OUT/tmp, OUT/var/lib/flock  writable directories (Jib sets their mode, see the poms)
# Usage: rootfs.sh OUT MODULES [JDK]
set -euo pipefail
out=$1
modules=$2
jdk=${3:-/usr/lib/jvm/java-17-openjdk-amd64}
rm -rf "$out"
mkdir -p "$out/opt" "$out/etc" "$out/tmp" "$out/var/lib/flock/djl"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=2 \
  --output "$out/opt/jre"
# every shared object the runtime's binaries and libraries need, plus libstdc++/libgcc_s/libgomp for libtorch
{
  find "$out/opt/jre" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 | xargs -0 ldd 2>/dev/null \
    | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' || true
  # libtorch (DJL unpacks it into DJL_CACHE_DIR at first start) also links the glibc stubs libdl, libpthread, librt
  for so in libstdc++.so.6 libgcc_s.so.1 libgomp.so.1 libdl.so.2 libpthread.so.0 librt.so.1; do
    # no early exit in awk: ldconfig would get SIGPIPE, and pipefail fail the build
    ldconfig -p | awk -v so="$so" '$1 == so && /x86-64/ && !seen++ {print $NF}'
  done
} | sort -u | while read -r lib; do
  [ -e "$lib" ] || continue
  mkdir -p "$out$(dirname "$lib")"
  cp -L "$lib" "$out$lib"
done
cat > "$out/etc/passwd" <<'P'
root:x:0:0:root:/root:/sbin/nologin
flock:x:65532:65532:flock:/var/lib/flock:/sbin/nologin
P
cat > "$out/etc/group" <<'G'
root:x:0:
flock:x:65532:
G
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$out/etc/nsswitch.conf"
echo "rootfs: $(du -sh "$out" | cut -f1) in $out (modules: $modules)"
