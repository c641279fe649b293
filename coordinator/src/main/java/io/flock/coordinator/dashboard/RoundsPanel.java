package io.flock.coordinator.dashboard;

import java.util.List;

/**
 * The rounds: the last round's number, status, accuracy and participation; the accuracy and participation charts
 * (drawn in the browser from the page's chart data); the newest rounds as a table.
 */
final class RoundsPanel {
    /** How many of the newest rounds the table lists; the charts show every round in the snapshot. */
    static final int TABLE_ROWS = 8;

    private RoundsPanel() {
    }

    static void write(Markup m, List<DashboardSnapshot.RoundPoint> rounds) {
        m.raw("<section class=\"panel\" id=\"rounds\"><h2>Rounds</h2>");
        if (rounds.isEmpty()) {
            m.empty("rounds-none", "no round has run yet").raw("</section>");
            return;
        }
        DashboardSnapshot.RoundPoint last = rounds.get(rounds.size() - 1);
        m.raw("<div class=\"cards\">")
                .card("round-last", "last round", "#" + last.round(), last.status() + ", " + Format.version(last.version()))
                .card("round-accuracy", "accuracy", Format.percent(last.accuracy()), "held-out, its version")
                .card("round-participation", "participation", last.updates() + " / " + last.selected(),
                        participation(last) + " of the devices asked")
                .raw("</div>");
        m.raw("<div class=\"charts two\"><figure class=\"chart\" id=\"chart-accuracy\"><figcaption>accuracy per round</figcaption></figure>")
                .raw("<figure class=\"chart\" id=\"chart-participation\"><figcaption>devices asked and updates aggregated per round"
                        + "</figcaption></figure></div>");
        m.table("rounds-table", "round", "version", "status", "accuracy", "updates / asked", "finished");
        for (int i = rounds.size() - 1; i >= Math.max(0, rounds.size() - TABLE_ROWS); i--) {
            DashboardSnapshot.RoundPoint r = rounds.get(i);
            m.raw("<tr").attr("data-round", Long.toString(r.round())).attr("class", "status-" + Markup.cssName(r.status())).raw(">")
                    .td("#" + r.round()).td(Format.version(r.version())).td(r.status()).td(Format.percent(r.accuracy()))
                    .td(r.updates() + " / " + r.selected()).td(Format.instant(r.finishedMs())).raw("</tr>");
        }
        m.raw("</tbody></table></section>");
    }

    private static String participation(DashboardSnapshot.RoundPoint r) {
        return r.selected() > 0 ? Format.percent((double) r.updates() / r.selected()) : Format.NONE;
    }
}
