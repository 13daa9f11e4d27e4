package io.tally.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 exchange over a plain socket, the request line sent byte for byte: HTTP clients normalise or refuse
 * malformed targets ({@code ..%2F}, {@code <}), and those are exactly what error-handling tests must send.
 */
public final class RawHttp {

    private RawHttp() {
    }

    /** Sends {@code requestLine} (such as {@code GET /x HTTP/1.1}) to localhost:{@code port} and reads to the end. */
    public static Response exchange(int port, String requestLine) throws IOException {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            // Accept: text/html asks for the HTML page a browser would get, which is what must not come back.
            out.write((requestLine + "\r\nHost: localhost\r\nAccept: text/html\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(answer);
            return new Response(answer.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * A raw answer.
     *
     * @param text status line, headers and body as received
     */
    public record Response(String text) {

        /** The status code of the status line. */
        public int status() {
            return Integer.parseInt(text.split(" ", 3)[1]);
        }

        /** The first value of header {@code name}, or an empty string. */
        public String header(String name) {
            for (String line : head().split("\r\n")) {
                if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                    return line.substring(name.length() + 1).strip();
                }
            }
            return "";
        }

        /** The body, de-chunked when it came chunked. */
        public String body() {
            String body = text.substring(text.indexOf("\r\n\r\n") + 4);
            if (!header("Transfer-Encoding").equalsIgnoreCase("chunked")) {
                return body;
            }
            StringBuilder joined = new StringBuilder();
            int at = 0;
            while (true) {
                int lineEnd = body.indexOf("\r\n", at);
                int size = Integer.parseInt(body.substring(at, lineEnd).strip(), 16);
                if (size == 0) {
                    return joined.toString();
                }
                joined.append(body, lineEnd + 2, lineEnd + 2 + size);
                at = lineEnd + 2 + size + 2;
            }
        }

        private String head() {
            return text.substring(0, Math.max(0, text.indexOf("\r\n\r\n")));
        }
    }
}
