"""Terminal charts: cumulative cost by month, and total cost against daily volume with the crossover.

Why each draw starts from scratch: plotext applies a log scale by rewriting the stored data in
place, so building the same figure twice takes the log of a log (the cost-vs-volume chart broke on
any redraw: theme, resize, palette). The charts keep their own plain lists and rebuild the whole
figure from copies of them in every `render`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual_plotext import PlotextPlot

from tco.tui.widgets.cost_table import short_option_name

LEGEND_NAME_WIDTH = 24
"""Longer option ids are cut in the middle in the chart legends (plotext drops a legend wider than the plot)."""


@dataclass(frozen=True)
class Line:
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    label: str


@dataclass(frozen=True)
class Figure:
    """Everything one chart draws, as plain immutable data (never handed to plotext itself)."""

    lines: tuple[Line, ...] = ()
    title: str = ""
    xlabel: str = ""
    log_log: bool = False
    vlines: tuple[tuple[float, str], ...] = field(default=())
    """(x, colour) markers."""


class _FreshPlot(PlotextPlot):
    """A plot that rebuilds its figure from `figure` on every draw, and says so when plotext cannot draw it.

    Why the except: plotext raises while laying out a chart in a tiny pane (legend wider than the
    canvas) or on degenerate log axes; a random key-and-click run found both. A chart is never
    worth a crash.
    """

    figure: Figure = Figure()

    def set_figure(self, figure: Figure) -> None:
        self.figure = figure
        self.refresh()

    def _draw(self) -> None:
        plt, fig = self.plt, self.figure
        plt.clear_data()
        plt.clear_figure()
        if not fig.lines:
            return
        if fig.log_log:
            plt.xscale("log")
            plt.yscale("log")
        for line in fig.lines:
            plt.plot(list(line.xs), list(line.ys), label=line.label)  # fresh lists: plotext rewrites them
        for x, colour in fig.vlines:
            plt.vline(x, colour)
        plt.title(fig.title)
        if fig.xlabel:
            plt.xlabel(fig.xlabel)

    def render(self):
        try:
            self._draw()
            return super().render()
        except (ValueError, IndexError, ZeroDivisionError, OverflowError, TypeError):
            return Text("(chart cannot be drawn at this size or for these values)", style="dim")


class CumulativeCostChart(_FreshPlot):
    """One line per option: what it has cost by the end of each month."""

    def show(self, evaluation) -> None:
        options = evaluation.results.options
        lines = []
        for rec in options.filter(options["excluded_reason"].is_null()).sort("rank").iter_rows(named=True):
            running, points = 0.0, []
            for cost in rec["monthly_cost_usd_list"]:
                running += cost
                points.append(running / 1000)
            lines.append(Line(tuple(range(1, len(points) + 1)), tuple(points), short_option_name(rec["option"], LEGEND_NAME_WIDTH)))
        self.set_figure(Figure(tuple(lines), "Cumulative cost, k$, by month", "month"))


class VolumeChart(_FreshPlot):
    """Total cost over the horizon at other daily volumes (log-log), with today's volume and the break-even marked."""

    def show(self, evaluation) -> None:
        curves = evaluation.volume_curves
        if not curves:
            self.set_figure(Figure())
            return
        lines = tuple(Line(tuple(volumes), tuple(max(t, 1e-9) / 1000 for t in totals), short_option_name(option, LEGEND_NAME_WIDTH))
                      for option, (volumes, totals) in curves.items())
        volumes = lines[0].xs
        vlines = [(evaluation.requests_per_day, "gray")]
        options = evaluation.results.options
        crossings = [v for v in options["breakeven_requests_per_day"].to_list() if v]
        # short: plotext drops a title wider than the plot, and this one is the only legend of the two lines
        title = f"k$ by req/day; gray: today {evaluation.requests_per_day:,.0f}"
        if crossings:
            first = min(crossings)
            if volumes[0] <= first <= volumes[-1]:
                vlines.append((first, "red"))
            title += f", red: break-even {first:,.0f}"
        self.set_figure(Figure(lines, title, "requests per day (log); total over the horizon, k$ (log)", log_log=True,
                               vlines=tuple(vlines)))
