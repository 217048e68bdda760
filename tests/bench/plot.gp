# Per-packet cost against flow-table fill (tests/bench/run passes dat, png).
set terminal pngcairo size 900,520 font ",11"
set output png
set title "xdpct: established IPv4 data segment, ns per packet against flows in a 4M-entry table"
set logscale x 2
set xlabel "flows in the table"
set ylabel "ns per packet (BPF\\_PROG\\_TEST\\_RUN)"
set key top left
set grid
set yrange [0:*]
set format x "%.0s%c"
plot dat using 1:5 with linespoints lw 2 pt 7 title "xdpct, random flow (single runs, median)", \
     dat using 1:6 with linespoints lw 2 pt 5 title "calibration, random flow (median)", \
     dat using 1:7 with linespoints lw 1 pt 4 dt 2 title "empty program, single runs (median)", \
     dat using 1:2 with linespoints lw 2 pt 9 title "xdpct, same flow (repeat, floor)", \
     dat using 1:3 with linespoints lw 2 pt 11 title "calibration, same flow (repeat, floor)", \
     dat using 1:4 with linespoints lw 1 pt 6 dt 2 title "empty program, repeat (floor)"
