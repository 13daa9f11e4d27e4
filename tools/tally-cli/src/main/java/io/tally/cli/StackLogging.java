package io.tally.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Sends the logs of a stack-running command to files in its log dir: the services of this JVM to
 * {@value #SERVICES_LOG}, next to the broker's and the registry's own logs; with verbose on, to the console as well
 * (the child logs are followed there too). The console keeps the command's own lines.
 */
public final class StackLogging {

    public static final String SERVICES_LOG = "services.log";
    static final List<String> CHILD_LOGS = List.of("broker.log", "schema-registry.log");

    private StackLogging() {
    }

    /**
     * Reconfigures logging for a run whose logs go to {@code logDir} (the previous run's logs there are replaced);
     * returns the log dir.
     */
    public static Path start(Path logDir, boolean verbose) {
        try {
            Files.createDirectories(logDir);
            for (String child : CHILD_LOGS) {
                // The children append (a restarted broker keeps its history); a new run starts a new file.
                Files.deleteIfExists(logDir.resolve(child));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not prepare the log dir " + logDir, e);
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        context.putProperty("TALLY_LOG_FILE", logDir.resolve(SERVICES_LOG).toString());
        context.putProperty("TALLY_CONSOLE_LEVEL", verbose ? "TRACE" : "OFF");
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(StackLogging.class.getResource("/logback-stack.xml"));
        } catch (JoranException e) {
            throw new IllegalStateException("Could not configure logging", e);
        }
        // Spring Boot would install this bridge; the stack turns Boot's logging system off (LocalStack).
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        if (verbose) {
            follow(logDir, System.err);
        }
        return logDir;
    }

    /** The one line that tells where the logs are. */
    static String describe(Path logDir) {
        return "Logs: " + logDir + " (" + SERVICES_LOG + ", " + String.join(", ", CHILD_LOGS)
                + "; --verbose shows them here)";
    }

    /** Copies what the broker and the registry write to their logs onto the console, prefixed with the file name. */
    private static void follow(Path logDir, PrintStream console) {
        Thread follower = new Thread(() -> {
            List<long[]> positions = new ArrayList<>();
            CHILD_LOGS.forEach(child -> positions.add(new long[] {0}));
            while (!Thread.currentThread().isInterrupted()) {
                for (int i = 0; i < CHILD_LOGS.size(); i++) {
                    positions.get(i)[0] = copyNew(logDir.resolve(CHILD_LOGS.get(i)), positions.get(i)[0], console);
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "tally-log-follower");
        // Only ever reading: it must not keep the JVM alive.
        follower.setDaemon(true);
        follower.start();
    }

    private static long copyNew(Path file, long from, PrintStream console) {
        if (!Files.isRegularFile(file)) {
            return from;
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            if (length <= from) {
                return length < from ? 0 : from;
            }
            byte[] bytes = new byte[(int) Math.min(length - from, 1 << 20)];
            in.seek(from);
            in.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            if (end < 0) {
                return from;
            }
            String prefix = "[" + file.getFileName().toString().replace(".log", "") + "] ";
            for (String line : text.substring(0, end).split("\n")) {
                console.println(prefix + line);
            }
            return from + text.substring(0, end + 1).getBytes(StandardCharsets.UTF_8).length;
        } catch (IOException e) {
            return from;
        }
    }
}
