package io.flock.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the daemon answers before it starts anything: one line on stderr and exit code 2. */
class AgentMainTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream realErr;

    @BeforeEach
    void captureErr() {
        realErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreErr() {
        System.setErr(realErr);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void run_withoutPublicKey_exits2NamingTheKey() {
        int code = AgentMain.run("--set", "device-id=d1");

        assertThat(code).isEqualTo(2);
        assertThat(stderr()).isEqualTo("flock: public-key must name the coordinator's signing-key.pub" + System.lineSeparator());
    }

    @Test
    void run_unknownKeyOrBadValue_exits2() {
        assertThat(AgentMain.run("--set", "device-id=d1", "--set", "metrics.prot=1")).isEqualTo(2);
        assertThat(AgentMain.run("--set", "device-id=d1", "--set", "metrics.port=-5")).isEqualTo(2);

        assertThat(stderr().lines()).hasSize(2).allMatch(l -> l.startsWith("flock: ")).anyMatch(l -> l.contains("metrics.prot"))
                .anyMatch(l -> l.contains("metrics.port"));
    }

    @Test
    void run_missingConfigFileOrUnreadableKey_exits2() throws Exception {
        Path key = Files.writeString(dir.resolve("key.pub"), "not base64!");

        assertThat(AgentMain.run("--config", dir.resolve("none.yaml").toString())).isEqualTo(2);
        assertThat(AgentMain.run("--set", "device-id=d1", "--set", "public-key=" + dir.resolve("absent.pub"))).isEqualTo(2);
        assertThat(AgentMain.run("--set", "device-id=d1", "--set", "public-key=" + key)).isEqualTo(2);

        assertThat(stderr().lines()).hasSize(3).allMatch(l -> l.startsWith("flock: "));
        assertThat(stderr()).contains("none.yaml does not exist").contains("absent.pub").contains("key.pub");
    }

    @Test
    void run_help_exits0() {
        assertThat(AgentMain.run("--help")).isZero();
    }
}
