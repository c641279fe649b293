package io.flock.coordinator.dashboard;

/**
 * HTML text escaping for the dashboard. Everything the page shows from a snapshot (device labels, cohort names,
 * statistic names, decisions, event details) is operator- or device-supplied, so each goes through {@link #text}
 * before it reaches the page, in element content and in quoted attribute values alike.
 */
final class Html {
    private Html() {
    }

    /**
     * @param s any text, null for none
     * @return the text with {@code & < > " '} as character references: safe in element content and in a quoted
     *         attribute value; "" for null
     */
    static String text(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * @param json JSON text
     * @return the same JSON with {@code < > &} and the JavaScript line separators written as JSON unicode escapes
     *         (backslash, u, four hex digits), so it can sit inside a {@code <script type="application/json">}
     *         element: no {@code </script>} or {@code <!--} can end it early. Those characters only occur inside JSON
     *         strings, where the escapes mean the same characters.
     */
    static String scriptJson(String json) {
        return json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
    }
}
