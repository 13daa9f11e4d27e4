package io.tally.common.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;

/**
 * The one shape of every Tally error body ({@code type, title, status, detail, instance}), written without a JSON
 * library so that code running outside Spring MVC (Tomcat's error valve, the security filters) produces exactly the
 * same bytes as {@link ProblemDetailsAdvice}. The title is always the status's reason phrase.
 */
public final class Problems {

    /** The media type of every error answer. */
    public static final String MEDIA_TYPE = "application/problem+json";

    private Problems() {
    }

    /** The reason phrase of {@code status} (the problem's title), or "Error" for a code Spring does not know. */
    public static String title(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known == null ? "Error" : known.getReasonPhrase();
    }

    /** Answers {@code response} with the problem document, for code that runs before or outside Spring MVC. */
    public static void write(HttpServletResponse response, int status, String detail, String instance)
            throws IOException {
        byte[] body = json(status, detail, instance);
        response.setStatus(status);
        response.setContentType(MEDIA_TYPE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** The problem document for {@code status} as UTF-8 JSON. */
    public static byte[] json(int status, String detail, String instance) {
        StringBuilder json = new StringBuilder(160).append("{\"type\":\"about:blank\",\"title\":");
        quote(json, title(status)).append(",\"status\":").append(status).append(",\"detail\":");
        quote(json, detail == null || detail.isBlank() ? title(status) : detail);
        if (instance != null) {
            quote(json.append(",\"instance\":"), instance);
        }
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static StringBuilder quote(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    // Control characters and '<' '>' escaped too: a path echoed back must not become markup anywhere.
                    if (c < 0x20 || c == '<' || c == '>') {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"');
    }
}
