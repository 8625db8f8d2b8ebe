"""Terminal charts: cumulative cost by month, and total cost against daily volume with the crossover."""

from __future__ import annotations

from textual_plotext import PlotextPlot


class CumulativeCostChart(PlotextPlot):
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
        plt.title("Cumulative cost (k$) by month")
        plt.xlabel("month")
        self.refresh()


class VolumeChart(PlotextPlot):
    """Total cost over the horizon at other daily volumes; vertical lines: today's volume and the break-even."""

    def show(self, evaluation) -> None:
        import math

        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        for option, (volumes, totals) in evaluation.volume_curves.items():
            plt.plot([math.log10(v) for v in volumes], [t / 1000 for t in totals], label=option[:24])
        plt.vline(math.log10(evaluation.requests_per_day), "gray")
        options = evaluation.results.options
        crossings = [v for v in options["breakeven_requests_per_day"].to_list() if v] if "breakeven_requests_per_day" in options.columns else []
        marks = ""
        if crossings:
            first = min(crossings)
            volumes = next(iter(evaluation.volume_curves.values()))[0] if evaluation.volume_curves else []
            if volumes and volumes[0] <= first <= volumes[-1]:
                plt.vline(math.log10(first), "red")
            marks = f"; red: break-even {first:,.0f}/day"
        plt.title(f"Total cost (k$) vs log10 requests/day (gray: today{marks})")
        self.refresh()
