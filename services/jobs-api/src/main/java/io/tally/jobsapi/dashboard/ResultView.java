package io.tally.jobsapi.dashboard;

import io.tally.jobsapi.artifacts.ArtifactLinks;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * A job's result as the dashboard shows it: text fields as text, artifact links and web links as links (artifact links
 * go through the dashboard's own {@code /ui/artifacts}, which the session cookie opens), a list of objects with
 * {@code startMs} and {@code endMs} as a table of timed segments, a group of fields as one row per field, and anything else as compact JSON.
 *
 * @param fields   the result's fields in result order
 * @param error    why the result could not be read, or null
 */
public record ResultView(List<Field> fields, String error) {

    /** Path of the dashboard's artifact route; same rules as {@link ArtifactLinks#PATH}. */
    public static final String UI_ARTIFACTS = "/ui/artifacts";

    /** One field: {@code kind} is text, link, segments, json or empty. */
    public record Field(String name, String kind, String text, String href, List<Segment> segments) {
    }

    /** One timed segment, times as {@code m:ss.s}. */
    public record Segment(String start, String end, String text) {
    }

    /** A timed segment's fields, in milliseconds as every Tally contract gives times (no doubles). */
    static final String START = "startMs";
    static final String END = "endMs";

    /** The view of {@code result}, or null when the job has neither a result nor an error. */
    public static ResultView of(JsonNode result, String error) {
        if (result == null && error == null) {
            return null;
        }
        List<Field> fields = new ArrayList<>();
        if (result != null && result.isObject()) {
            result.properties().forEach(entry -> {
                if (entry.getValue().isObject()) {
                    // A group of fields (a result's files, say) reads best as one row per field.
                    entry.getValue().properties().forEach(inner ->
                            fields.add(field(entry.getKey() + "." + inner.getKey(), inner.getValue())));
                } else {
                    fields.add(field(entry.getKey(), entry.getValue()));
                }
            });
        } else if (result != null) {
            fields.add(new Field("result", "json", result.toString(), null, List.of()));
        }
        return new ResultView(fields, error);
    }

    private static Field field(String name, JsonNode value) {
        if (value == null || value.isNull()) {
            return new Field(name, "empty", "—", null, List.of());
        }
        if (value.isString()) {
            String text = value.asString();
            if (text.startsWith(ArtifactLinks.PATH + "?")) {
                String href = UI_ARTIFACTS + text.substring(ArtifactLinks.PATH.length());
                return new Field(name, "link", fileName(text), href, List.of());
            }
            if (text.startsWith("https://") || text.startsWith("http://")) {
                return new Field(name, "link", text, text, List.of());
            }
            return new Field(name, "text", text, null, List.of());
        }
        if (isTimed(value)) {
            List<Segment> segments = new ArrayList<>();
            value.forEach(segment -> segments.add(new Segment(time(segment.get(START)), time(segment.get(END)),
                    segment.path("text").isValueNode() ? segment.path("text").asString() : "")));
            return new Field(name, "segments", segments.size() + " segments", null, segments);
        }
        return new Field(name, "json", value.isValueNode() ? value.asString() : value.toString(), null, List.of());
    }

    /** A non-empty list whose every element is an object with numeric {@value #START} and {@value #END}. */
    private static boolean isTimed(JsonNode value) {
        if (!value.isArray() || value.isEmpty()) {
            return false;
        }
        for (JsonNode element : value) {
            if (!element.isObject() || !element.path(START).isNumber() || !element.path(END).isNumber()) {
                return false;
            }
        }
        return true;
    }

    /** Tally's contracts give times as milliseconds (no doubles): m:ss.SSS. */
    private static String time(JsonNode millis) {
        long value = millis.asLong();
        return String.format(Locale.ROOT, "%d:%02d.%03d", value / 60_000, value / 1000 % 60, value % 1000);
    }

    /** The file name at the end of an artifact link, for the link's text. */
    private static String fileName(String link) {
        String decoded = java.net.URLDecoder.decode(link.substring(link.indexOf("ref=") + 4),
                java.nio.charset.StandardCharsets.UTF_8);
        int slash = decoded.lastIndexOf('/');
        return slash >= 0 && slash < decoded.length() - 1 ? decoded.substring(slash + 1) : decoded;
    }
}
