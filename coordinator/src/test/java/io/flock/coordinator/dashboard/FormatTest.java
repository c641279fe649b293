package io.flock.coordinator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FormatTest {
    @Test
    void writesNumbersPlainlyAndMissingOnesAsNotAvailable() {
        assertThat(Format.decimal(0.123456)).isEqualTo("0.1235");
        assertThat(Format.decimal(1234567)).isEqualTo("1235000");
        assertThat(Format.decimal(0.00001234)).isEqualTo("0.00001234");
        assertThat(Format.decimal(-2.5)).isEqualTo("-2.5");
        assertThat(Format.decimal(0)).isEqualTo("0");
        assertThat(Format.decimal(Double.NaN)).isEqualTo("n/a");
        assertThat(Format.decimal(Double.POSITIVE_INFINITY)).isEqualTo("n/a");
        assertThat(Format.percent(0.9123)).isEqualTo("91.2 %");
        assertThat(Format.stagePercent(0.5)).isEqualTo("0.5 %");
        assertThat(Format.stagePercent(10)).isEqualTo("10 %");
        assertThat(Format.millis(4.2)).isEqualTo("4.20 ms");
        assertThat(Format.perSecond(12.34)).isEqualTo("12.3 /s");
        assertThat(Format.count(12345)).isEqualTo("12,345");
        assertThat(Format.version(0)).isEqualTo("none");
        assertThat(Format.version(3)).isEqualTo("v3");
        assertThat(Format.instant(0)).isEqualTo("n/a");
        assertThat(Format.instant(1_000)).isEqualTo("1970-01-01 00:00:01 UTC");
    }

    @Test
    void escapesTheFiveHtmlSpecials() {
        assertThat(Html.text("a<b>&\"'c")).isEqualTo("a&lt;b&gt;&amp;&quot;&#39;c");
        assertThat(Html.text(null)).isEmpty();
    }
}
