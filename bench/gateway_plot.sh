#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Draw summary.csv of bench/gateway_vs_proxy_v4.sh as an SVG bar chart on
# stdout (plain awk, nothing to install):
#   bench/gateway_plot.sh summary.csv > bench/gateway-vs-proxy-v4.svg
# Two panels, because their units differ: 1 MiB read/write throughput
# (MiB/s) and the small-file cycle rate (ops/s).  Each cell has a bar per
# gateway with its median on top and, when both ran, the ratio
# rdma_proxy/proxy_v4 against its target underneath (green when met).
# A gateway that was not measured has no bar; one whose runs all failed
# gets a red "failed" mark.
set -eu
csv=${1:?usage: gateway_plot.sh summary.csv}
[ -r "$csv" ] || { echo "gateway_plot.sh: cannot read $csv" >&2; exit 1; }

awk -F, '
function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); return s }
function num(s) { return s ~ /^[0-9.]+$/ }
NR == 1 { next }
{
	n++; mode[n] = $1; streams[n] = $2; unit[n] = $3
	a[n] = $4; b[n] = $5; ratio[n] = $6; target[n] = $7; meets[n] = $8
	p = ($1 == "meta") ? 2 : 1
	if (num($4) && $4 + 0 > max[p]) max[p] = $4 + 0
	if (num($5) && $5 + 0 > max[p]) max[p] = $5 + 0
	if ($5 != "-") have_b = 1
	cells[p]++
}
END {
	gw = 70; cw = 84; bw = 28; ph = 220; top = 70
	w1 = cells[1] * cw; w2 = cells[2] * cw
	width = gw + w1 + 60 + w2 + 30; height = top + ph + 110
	printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n", width, height
	printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	printf "<text x=\"%d\" y=\"20\" font-size=\"15\" font-weight=\"bold\">NFS gateway: RDMA_PROXY vs FSAL_PROXY_V4 (same backend, same run)</text>\n", gw
	printf "<rect x=\"%d\" y=\"32\" width=\"12\" height=\"12\" fill=\"#8c8c8c\"/><text x=\"%d\" y=\"42\">proxy_v4 (Debian FSAL_PROXY_V4, TCP to backend)</text>\n", gw, gw + 16
	printf "<rect x=\"%d\" y=\"32\" width=\"12\" height=\"12\" fill=\"#2b6cb0\"/><text x=\"%d\" y=\"42\">rdma_proxy (RDMA to backend)%s</text>\n", gw + 330, gw + 346, have_b ? "" : " - not measured"
	x0[1] = gw; x0[2] = gw + w1 + 60
	title[1] = "1 MiB sequential I/O (MiB/s)"; title[2] = "small-file cycles (ops/s)"
	for (p = 1; p <= 2; p++) {
		if (!cells[p]) continue
		if (max[p] <= 0) max[p] = 1
		pw = (p == 1) ? w1 : w2
		printf "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>\n", x0[p], top - 6, title[p]
		printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", x0[p], top + ph, x0[p] + pw, top + ph
		printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", x0[p], top, x0[p], top + ph
		printf "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f</text>\n", x0[p] - 4, top + 4, max[p]
		printf "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", x0[p] - 4, top + ph + 4
	}
	i1 = 0; i2 = 0
	for (i = 1; i <= n; i++) {
		p = (mode[i] == "meta") ? 2 : 1
		k = (p == 1) ? i1++ : i2++
		cx = x0[p] + k * cw + 10
		for (j = 0; j < 2; j++) {
			v = j ? b[i] : a[i]; col = j ? "#2b6cb0" : "#8c8c8c"
			bx = cx + j * (bw + 4)
			if (num(v)) {
				h = v / max[p] * ph
				printf "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"/>\n", bx, top + ph - h, bw, h, col
				printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"9\">%.0f</text>\n", bx + bw / 2, top + ph - h - 3, v
			} else if (v == "FAIL") {
				printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"9\" fill=\"#c53030\">failed</text>\n", bx + bw / 2, top + ph - 4
			}
		}
		printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s %s</text>\n", cx + bw + 2, top + ph + 15, esc(mode[i]), streams[i] == 1 ? "1 stream" : streams[i] " str."
		if (num(ratio[i])) {
			col = (meets[i] == "yes") ? "#2f855a" : "#c53030"
			printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\">%.2fx</text>\n", cx + bw + 2, top + ph + 30, col, ratio[i]
		}
		printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"9\" fill=\"#555\">target %sx</text>\n", cx + bw + 2, top + ph + 43, target[i]
	}
	printf "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#555\">Medians of interleaved rounds; client nfs41 (NFSv4.1 over TCP) to each gateway. Ratio = rdma_proxy / proxy_v4.</text>\n", gw, height - 20
	print "</svg>"
}' "$csv"
