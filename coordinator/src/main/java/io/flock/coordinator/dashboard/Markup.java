package io.flock.coordinator.dashboard;

/**
 * A page being written: trusted markup goes in through {@link #raw}, anything from a snapshot through {@link #text} or
 * {@link #attr}, which escape it ({@link Html#text}). One per rendering, not thread-safe.
 */
final class Markup {
    private final StringBuilder out = new StringBuilder(16_384);

    /** Appends markup as it is: only constant markup written by this package. */
    Markup raw(String html) {
        out.append(html);
        return this;
    }

    /** Appends text, escaped. */
    Markup text(String s) {
        out.append(Html.text(s));
        return this;
    }

    /** Appends {@code  name="value"} with the value escaped. */
    Markup attr(String name, String value) {
        out.append(' ').append(name).append("=\"").append(Html.text(value)).append('"');
        return this;
    }

    /**
     * Appends one key figure: a label, the value in an element with a stable id (what tests and scrapers look for), and
     * an optional note under it.
     */
    Markup card(String id, String label, String value, String note) {
        raw("<div class=\"card\"><div class=\"label\">").text(label).raw("</div><div class=\"value\"").attr("id", id).raw(">")
                .text(value).raw("</div>");
        if (note != null && !note.isEmpty()) {
            raw("<div class=\"note\"").attr("id", id + "-note").raw(">").text(note).raw("</div>");
        }
        return raw("</div>");
    }

    /** Appends a table's opening, its id and its header row. */
    Markup table(String id, String... headers) {
        raw("<table").attr("id", id).raw("><thead><tr>");
        for (String h : headers) {
            raw("<th>").text(h).raw("</th>");
        }
        return raw("</tr></thead><tbody>");
    }

    /** Appends one cell. */
    Markup td(String value) {
        return raw("<td>").text(value).raw("</td>");
    }

    /** Appends a paragraph that says a part has nothing to show yet. */
    Markup empty(String id, String message) {
        return raw("<p class=\"empty\"").attr("id", id).raw(">").text(message).raw("</p>");
    }

    /** @return a CSS class name made of the value: lower case, anything but letters and digits as '-' */
    static String cssName(String value) {
        return value == null ? "none" : value.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
