#!/usr/bin/env bash
# Install what `make test` needs beyond `make demo`: LibreOffice Writer without
# a GUI (Debian's libreoffice-writer-nogui), which tests/test_parity.py uses to
# render the DOCX and compare its pages with the PDF's, and Calc
# (libreoffice-calc-nogui), which tests/test_table_import.py uses to compute the
# formulas of an exported .xlsx. Run by `make test` only.
# Idempotent: does nothing when both are there. Without root it only says what
# to run; the tests that need them are then skipped.
set -euo pipefail

CALC=/usr/lib/libreoffice/program/libsclo.so
if command -v soffice >/dev/null 2>&1 && [ -e "$CALC" ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "未安装 LibreOffice，DOCX 与 PDF 的版式一致性测试将跳过。需要时以 root 身份运行：" >&2
  echo "  sudo bash scripts/install-test-packages.sh" >&2
  exit 0
fi

if apt-cache policy libreoffice-writer-nogui 2>/dev/null | grep -q 'Candidate: (none)' \
   || ! apt-cache policy libreoffice-writer-nogui 2>/dev/null | grep -q Candidate:; then
  apt-get update -qq
fi
echo "安装 libreoffice-writer-nogui、libreoffice-calc-nogui（用于版式一致性测试和表格导出测试）……"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  libreoffice-writer-nogui libreoffice-calc-nogui >/dev/null
command -v soffice >/dev/null
[ -e "$CALC" ]
echo "LibreOffice 安装完成。"
