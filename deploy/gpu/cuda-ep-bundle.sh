#!/usr/bin/env bash
# Assembles onnxruntime-node with ONNX Runtime's CUDA and TensorRT execution providers from npm
# registry packages alone, for GPU nodes that reach no other network (api.nuget.org, from which
# `ONNXRUNTIME_NODE_INSTALL=cuda12` downloads them, included). Run it where the npm registry is
# reachable, copy the folder (or the .tar.xz it writes) to the GPU node, and point egobridge at it:
#
#   deploy/gpu/cuda-ep-bundle.sh OUT_DIR
#   EGOBRIDGE_ONNXRUNTIME_NODE=OUT_DIR/onnxruntime-node egobridge extract clip.mp4 --device cuda
#
# What it puts together (all MIT-licensed ONNX Runtime 1.29.0 builds):
#   - onnxruntime-node@1.29.0: the Node binding and its core library (linux/x64 only);
#   - onnxruntime-common@1.29.0 beside it, as its node_modules;
#   - libonnxruntime_providers_{cuda,shared,tensorrt}.so from the npm package
#     com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9 (Unity packaging of ONNX Runtime 1.29.0's
#     Linux GPU libraries), next to the core library, where onnxruntime-node's own cuda12 install
#     would put them.
# The providers load the CUDA runtime at session start: the node needs what REQUIREMENTS.txt (made
# from the libraries' ELF headers) lists on its library path — CUDA 13 (cudart, cublas, cublasLt;
# curand 10) and cuDNN 9 — and an NVIDIA driver for CUDA 13. Without them `--device cuda` fails
# with the loader's message naming the missing library, and cpu/webgpu keep working.
set -euo pipefail

out="${1:?usage: deploy/gpu/cuda-ep-bundle.sh OUT_DIR}"
ORT_VERSION=1.29.0
GPU_PACKAGE=com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9

for tool in npm tar xz readelf strings; do
  command -v "$tool" >/dev/null || {
    echo "cuda-ep-bundle: needs $tool (Debian: apt-get install -y binutils xz-utils)" >&2
    exit 1
  }
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "fetching onnxruntime-node@$ORT_VERSION, onnxruntime-common@$ORT_VERSION and $GPU_PACKAGE from the npm registry" >&2
# npm pack checks each tarball against the registry's integrity hash.
(cd "$work" && npm pack --silent "onnxruntime-node@$ORT_VERSION" "onnxruntime-common@$ORT_VERSION" "$GPU_PACKAGE" >/dev/null)

pkg="$out/onnxruntime-node"
rm -rf "$pkg.tmp"
mkdir -p "$pkg.tmp/node_modules/onnxruntime-common"
tar -xzf "$work/onnxruntime-node-$ORT_VERSION.tgz" -C "$pkg.tmp" --strip-components=1
tar -xzf "$work/onnxruntime-common-$ORT_VERSION.tgz" -C "$pkg.tmp/node_modules/onnxruntime-common" --strip-components=1
mkdir -p "$work/gpu"
tar -xzf "$work/${GPU_PACKAGE%@*}-${GPU_PACKAGE#*@}.tgz" -C "$work/gpu" --strip-components=1

native="$pkg.tmp/bin/napi-v6/linux/x64"
for lib in cuda shared tensorrt; do
  install -m 0644 "$work/gpu/Plugins/Linux/x64/libonnxruntime_providers_$lib.so" "$native/"
done
# Only linux/x64 is of use here (the other platforms' binaries are 150 MB).
rm -rf "$pkg.tmp/bin/napi-v6/darwin" "$pkg.tmp/bin/napi-v6/win32" "$pkg.tmp/bin/napi-v6/linux/arm64"

# The core library and the providers must be the same ONNX Runtime version.
for f in "$native/libonnxruntime.so.1" "$native/libonnxruntime_providers_cuda.so"; do
  if [ "$(strings "$f" | grep -cx "$ORT_VERSION")" = 0 ]; then
    echo "cuda-ep-bundle: $f does not say it is ONNX Runtime $ORT_VERSION" >&2
    exit 1
  fi
done

{
  echo "onnxruntime-node $ORT_VERSION with ONNX Runtime's CUDA and TensorRT execution providers"
  echo "providers from $GPU_PACKAGE (npm registry); assembled $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Shared libraries the CUDA provider needs at run time (ELF NEEDED):"
  readelf -d "$native/libonnxruntime_providers_cuda.so" | sed -n 's/.*Shared library: \[\(.*\)\]/  \1/p'
  echo "and, by name when a session starts (dlopen): $(strings "$native/libonnxruntime_providers_cuda.so" | grep -oxE 'lib(cudnn|nvrtc)\.so(\.[0-9]+)?' | sort -u | tr '\n' ' ')(cuDNN 9)"
  echo
  echo "GPU architectures compiled in:"
  echo "  $(strings "$native/libonnxruntime_providers_cuda.so" | grep -oE '^sm_[0-9]+[a-z]?$' | sort -u | tr '\n' ' ')"
  echo
  echo "Use: EGOBRIDGE_ONNXRUNTIME_NODE=$pkg egobridge extract VIDEO --device cuda"
} >"$pkg.tmp/REQUIREMENTS.txt"

rm -rf "$pkg"
mv "$pkg.tmp" "$pkg"
tar -C "$out" -I "xz -T0" -cf "$out/onnxruntime-node-$ORT_VERSION-cuda.tar.xz.tmp" onnxruntime-node
mv "$out/onnxruntime-node-$ORT_VERSION-cuda.tar.xz.tmp" "$out/onnxruntime-node-$ORT_VERSION-cuda.tar.xz"
echo "$pkg" >&2
cat "$pkg/REQUIREMENTS.txt" >&2
