#!/usr/bin/env bash
# Install what `make test` needs beyond `make demo`:
# - LibreOffice Writer without a GUI (Debian's libreoffice-writer-nogui), which
#   tests/test_parity.py uses to render the DOCX and compare its pages with the
#   PDF's (and tests/test_import.py to convert .doc and .wps files);
# - LibreOffice Calc (libreoffice-calc-nogui), which tests/test_table_import.py
#   uses to compute the formulas of an exported .xlsx;
# - Chromium (Debian's chromium), the headless browser the editor's end-to-end
#   tests (tests/test_editor_browser.py) drive through Playwright.
# Run by `make test` only. Idempotent: installs only what is missing. Without
# root it only says what to run; the tests needing it are then skipped.
set -euo pipefail

missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
[ -e /usr/lib/libreoffice/program/libsclo.so ] || missing+=(libreoffice-calc-nogui)
[ -x /usr/bin/chromium ] || missing+=(chromium)

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "未安装 ${missing[*]}，版式一致性测试、表格导出测试和编辑器的浏览器测试将跳过。需要时以 root 身份运行：" >&2
  echo "  sudo bash scripts/install-test-packages.sh" >&2
  exit 0
fi

for package in "${missing[@]}"; do
  if ! apt-cache policy "$package" 2>/dev/null | grep -q 'Candidate: [^(]'; then
    apt-get update -qq
    break
  fi
done
echo "安装 ${missing[*]}（用于版式一致性测试、表格导出测试和编辑器的浏览器测试）……"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
command -v soffice >/dev/null
[ -e /usr/lib/libreoffice/program/libsclo.so ]
[ -x /usr/bin/chromium ]
echo "测试所需软件安装完成。"
