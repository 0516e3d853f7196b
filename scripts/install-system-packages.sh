#!/usr/bin/env bash
# Install the Debian packages the PDF writer needs (see docs/architecture.md):
#   FandolFang / FandolSong / FandolHei / FandolKai: extracted from Debian's
#     texlive-lang-chinese .deb (the whole TeX install is not needed).
#   Noto Serif/Sans CJK (fonts-noto-cjk): fallback for characters Fandol lacks.
#   libharfbuzz-subset0: WeasyPrint subsets fonts with it about 7x faster than
#     with fontTools (13 pages: 7.1 s -> 1.0 s).
# Idempotent: does nothing when everything is already there.
set -euo pipefail

FANDOL_DIR=/usr/local/share/fonts/gongwen-fandol
need_fandol=0; need_noto=0; need_subset=0
fc-list -q "FandolFang" || need_fandol=1
fc-list -q "Noto Serif CJK SC" || need_noto=1
/sbin/ldconfig -p | grep -q "libharfbuzz-subset.so.0" || need_subset=1
if [ "$need_fandol$need_noto$need_subset" = "000" ]; then
  echo "字体与系统组件已就绪。"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "缺少 PDF 所需的字体或系统组件。请以 root 身份运行：" >&2
  echo "  sudo bash scripts/install-system-packages.sh" >&2
  exit 1
fi

# apt needs its package lists once on a fresh machine.
if ! apt-cache policy texlive-lang-chinese 2>/dev/null | grep -q Candidate: \
   || apt-cache policy texlive-lang-chinese | grep -q 'Candidate: (none)'; then
  apt-get update -qq
fi

packages=()
[ "$need_noto" = 1 ] && packages+=(fonts-noto-cjk)
[ "$need_subset" = 1 ] && packages+=(libharfbuzz-subset0)
if [ ${#packages[@]} -gt 0 ]; then
  echo "安装 ${packages[*]} ……"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi

if [ "$need_fandol" = 1 ]; then
  echo "安装 Fandol 字体（取自 texlive-lang-chinese）……"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download -qq texlive-lang-chinese 2>/dev/null)
  dpkg -x "$work"/texlive-lang-chinese_*.deb "$work/root"
  mkdir -p "$FANDOL_DIR"
  cp "$work"/root/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/Fandol{Fang-Regular,Song-Regular,Song-Bold,Hei-Regular,Hei-Bold,Kai-Regular}.otf "$FANDOL_DIR/"
  zcat "$work"/root/usr/share/doc/texlive-doc/fonts/fandol/COPYING.gz > "$FANDOL_DIR/COPYING"
fi

fc-cache -f >/dev/null
fc-list -q "FandolFang" && fc-list -q "Noto Serif CJK SC"
echo "字体与系统组件安装完成。"
