package io.flock.coordinator.cli;

import io.flock.core.FlockException;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Runs a picocli command the way every Flock entry point does: a known error is one line on stderr and exit code 2. */
public final class Launcher {
    private Launcher() {
    }

    /** @return the command's exit code; 2 for a Flock error or an error status from the coordinator */
    public static int execute(Object command, String... args) {
        return execute(command, null, args);
    }

    /** @param err where errors go; null = stderr */
    public static int execute(Object command, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(command);
        if (err != null) {
            cli.setErr(err);
        }
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof FlockException) {
                cmd.getErr().println("flock: " + e.getMessage());
                return 2;
            }
            if (e instanceof StatusRuntimeException s) {
                cmd.getErr().println("flock: " + s.getStatus().getCode() + ": " + s.getStatus().getDescription());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }
}
