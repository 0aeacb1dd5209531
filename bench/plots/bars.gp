# Clustered bar chart of a bench_report.py .dat file: a quoted header line, then the x label
# and one column per series; "?" marks a missing value. Log-scale y.
# gnuplot -e "dat='x.dat'; out='x.png'; heading='title'; sub='subtitle'" [-e "rot=45; w=1400; values=0"] bench/plots/bars.gp
if (!exists("rot")) rot = 0
if (!exists("w")) w = 900
if (!exists("values")) values = 1
if (!exists("xlab")) xlab = ""
if (!exists("ylab")) ylab = "ms per image (log scale)"
set terminal pngcairo size w,560 font "DejaVu Sans,10" noenhanced
set output out
set title heading . "\n" . sub
set datafile missing "?"
set datafile separator "\t"
set style fill solid 0.85 border -1
set logscale y
set format y "%g"
set grid ytics mytics
set key outside bottom center horizontal reverse Left
set ylabel ylab
set xlabel xlab
if (rot == 0) { set xtics norotate center nomirror } else { set xtics rotate by rot right nomirror }
set key autotitle columnhead
set offsets 0.5, 0.5, graph 0.08, 0
n = system(sprintf("awk -F'\t' 'NR==1 {print NF - 1}' '%s'", dat)) + 0
# The y axis starts at the power of ten below the smallest bar, so every bar shows.
lo = system(sprintf("awk -F'\t' 'NR>1 {for (i = 2; i <= NF; ++i) if ($i != \"?\" && $i > 0 && (m == \"\" || $i < m)) m = $i} END {print m}' '%s'", dat)) + 0
set yrange [10 ** floor(log10(lo / 2)):*]
set autoscale yfixmax
bw = 1.0 / (n + 1)
x(i) = $0 + (i - 1 - (n - 1) / 2.0) * bw
if (values) {
  plot dat using 0:(NaN):xtic(1) with points notitle, \
       for [i=2:n+1] dat using (x(i)):i:(bw) with boxes title columnhead(i), \
       for [i=2:n+1] dat using (x(i)):i:(column(i) < 10 ? sprintf("%.1f", column(i)) : sprintf("%.0f", column(i))) with labels offset 0,0.6 font ",8" notitle
} else {
  plot dat using 0:(NaN):xtic(1) with points notitle, \
       for [i=2:n+1] dat using (x(i)):i:(bw) with boxes title columnhead(i)
}
