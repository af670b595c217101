using System.Globalization;
using ScottPlot;

namespace Cairn.Bench.Compare;

/// <summary>
/// The comparison as a PNG: per workload, cairn/etcd throughput (higher is better) beside cairn/etcd p99 latency (lower
/// is better), with dashed lines at 1 (parity) and 1.5 (the throughput target).
/// </summary>
internal static class RatioChart
{
    public static void Save(string path, IReadOnlyList<CaseResult> cases, string title)
    {
        var plot = new Plot();
        var throughputColor = Colors.SteelBlue;
        var latencyColor = Colors.DarkOrange;
        var bars = new List<Bar>();
        var ticks = new List<Tick>();
        for (var i = 0; i < cases.Count; i++)
        {
            var center = i * 3.0;
            bars.Add(Bar(center - 0.45, cases[i].ThroughputRatio, throughputColor));
            bars.Add(Bar(center + 0.45, cases[i].P99Ratio, latencyColor));
            ticks.Add(new Tick(center, cases[i].Case.Name, isMajor: true));
        }

        plot.Add.Bars(bars);
        foreach (var y in (double[])[1.0, 1.5])
        {
            var line = plot.Add.HorizontalLine(y);
            line.LinePattern = LinePattern.Dashed;
            line.LineColor = Colors.Gray;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 170;
        plot.Axes.Right.MinimumSize = 90;
        var top = Math.Max(2.0, cases.SelectMany(c => (double[])[c.ThroughputRatio, c.P99Ratio]).Where(double.IsFinite).DefaultIfEmpty(0).Max() * 1.4);
        plot.Axes.SetLimits(-1.5, cases.Count * 3.0 - 1.5, 0, top);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "throughput cairn/etcd (higher is better)", FillColor = throughputColor });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "p99 latency cairn/etcd (lower is better)", FillColor = latencyColor });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "dashed: parity (1) and throughput target (1.5)", LineColor = Colors.Gray, LinePattern = LinePattern.Dashed, LineWidth = 2 });
        plot.ShowLegend(Alignment.UpperRight);
        plot.Title(title);
        plot.YLabel("cairn / etcd");
        plot.SavePng(path, Math.Max(1000, 120 * cases.Count), 640);
    }

    private static Bar Bar(double position, double value, Color color)
    {
        var finite = double.IsFinite(value) ? value : 0;
        return new Bar
        {
            Position = position,
            Value = finite,
            Size = 0.85,
            FillColor = color,
            Label = double.IsFinite(value) ? finite.ToString("0.00", CultureInfo.InvariantCulture) : "n/a",
        };
    }
}
