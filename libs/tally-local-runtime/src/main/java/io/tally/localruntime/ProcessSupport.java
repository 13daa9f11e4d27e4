package io.tally.localruntime;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Small helpers of {@link ChildProcess} and its subclasses: which java to run, free loopback ports, log tails.
 * Known gap: a port found free here can be taken by someone else before the child binds it (tiny race).
 */
final class ProcessSupport {

    private static final int TAIL_BYTES = 16 * 1024;

    private ProcessSupport() {
    }

    /** The java binary of this JVM, so children run on the same JDK the tests run on. */
    static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .filter(command -> Files.isExecutable(Paths.get(command)))
                .orElseGet(() -> Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** Distinct free loopback ports; all sockets are held open together so the ports cannot repeat. */
    static int[] freePorts(int count) {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 0, InetAddress.getLoopbackAddress());
                sockets[i].setReuseAddress(true);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not find a free loopback port", e);
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // the port number is all we wanted
                    }
                }
            }
        }
    }

    /** The last lines of a child's log, for error messages; never throws. */
    static String tail(Path logFile, int maxLines) {
        if (logFile == null || !Files.isRegularFile(logFile)) {
            return "(no log at " + logFile + ")";
        }
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
            long length = file.length();
            long start = Math.max(0, length - TAIL_BYTES);
            byte[] bytes = new byte[(int) (length - start)];
            file.seek(start);
            file.readFully(bytes);
            String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\\R");
            int from = Math.max(0, lines.length - maxLines);
            StringBuilder out = new StringBuilder();
            for (int i = from; i < lines.length; i++) {
                out.append("  | ").append(lines[i]).append(System.lineSeparator());
            }
            return out.toString();
        } catch (IOException e) {
            return "(could not read " + logFile + ": " + e + ")";
        }
    }

    /** Escapes a value for a java {@code @argfile}, where backslashes and quotes are special inside quotes. */
    static String argFileQuote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for a child process", e);
        }
    }
}
