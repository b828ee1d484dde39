#!/usr/bin/env bash
# Installs the Debian 12 packages refluxscan needs, skipping those already installed.
# Works as root, or through sudo otherwise. No downloads beyond Debian's package archive.
set -euo pipefail

packages=(
  build-essential g++ cmake make pkg-config clang-format
  libdcmtk-dev dcmtk            # DICOM read/write and codecs; dcmdump for inspection
  libopencv-dev                 # image work
  libjpeg62-turbo-dev           # the HTML report's strip images (JPEG)
  libfftw3-dev                  # transforms
  libopenjp2-7-dev              # JPEG 2000 pixel data (DCMTK 3.6.7 has no J2K codec)
  libtesseract-dev libleptonica-dev tesseract-ocr-eng  # burned-in labels (OCR)
  libgtest-dev libgmock-dev     # unit tests
  libbenchmark-dev              # microbenchmarks
  nlohmann-json3-dev            # JSON
  libcli11-dev                  # command line
  dicom3tools                   # dciodvfy: validates generated DICOM in tests
  chromium                      # headless rendering test of report.html
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
