"""Terminal charts: cumulative cost by month, and total cost against daily volume with the crossover."""

from __future__ import annotations

from rich.text import Text
from textual_plotext import PlotextPlot


class _SafePlot(PlotextPlot):
    """A plot that says so when plotext cannot draw it, instead of taking the app down.

    Why: plotext raises while laying out a chart in a tiny pane (legend wider than the canvas) or
    on degenerate log axes; a random key-and-click run found both. A chart is never worth a crash.
    """

    def render(self):
        try:
            return super().render()
        except (ValueError, IndexError, ZeroDivisionError, OverflowError, TypeError):
            return Text("(chart cannot be drawn at this size or for these values)", style="dim")


class CumulativeCostChart(_SafePlot):
    """One line per option: what it has cost by the end of each month."""

    def show(self, evaluation) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        options = evaluation.results.options
        for rec in options.filter(options["excluded_reason"].is_null()).sort("rank").iter_rows(named=True):
            running, points = 0.0, []
            for cost in rec["monthly_cost_usd_list"]:
                running += cost
                points.append(running / 1000)
            plt.plot(list(range(1, len(points) + 1)), points, label=rec["option"][:24])
        plt.title("Cumulative cost, k$, by month")
        plt.xlabel("month")
        self.refresh()


class VolumeChart(_SafePlot):
    """Total cost over the horizon at other daily volumes (log-log), with today's volume and the break-even marked."""

    def show(self, evaluation) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        curves = evaluation.volume_curves
        if not curves:
            self.refresh()
            return
        plt.xscale("log")
        plt.yscale("log")
        for option, (volumes, totals) in curves.items():
            plt.plot(volumes, [max(t, 1e-9) / 1000 for t in totals], label=option[:24])
        volumes = next(iter(curves.values()))[0]
        plt.vline(evaluation.requests_per_day, "gray")
        options = evaluation.results.options
        crossings = [v for v in options["breakeven_requests_per_day"].to_list() if v]
        title = f"Total k$ vs requests/day; gray: today {evaluation.requests_per_day:,.0f}"
        if crossings:
            first = min(crossings)
            if volumes[0] <= first <= volumes[-1]:
                plt.vline(first, "red")
            title += f", red: break-even {first:,.0f}"
        plt.title(title)
        self.refresh()
