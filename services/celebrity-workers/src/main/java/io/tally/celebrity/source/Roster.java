package io.tally.celebrity.source;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.core.io.Resource;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The seed's fixed list of celebrities every source collects, read once from a JSON resource
 * ({@code celebrities/roster.json} by default: 100 people in a fixed order). Known gap: the roster is a file, not
 * managed at run time; a new list is a new file and a restart.
 */
public final class Roster {

    private final List<Celebrity> celebrities;

    public Roster(List<Celebrity> celebrities) {
        Set<String> ids = new HashSet<>();
        for (Celebrity celebrity : celebrities) {
            if (celebrity.id() == null || celebrity.id().isBlank() || celebrity.id().contains("/")) {
                throw new IllegalArgumentException("roster entry '" + celebrity.name() + "' has no usable id (blank or with '/')");
            }
            if (!ids.add(celebrity.id())) {
                throw new IllegalArgumentException("roster has id '" + celebrity.id() + "' twice");
            }
        }
        this.celebrities = List.copyOf(celebrities);
    }

    /** Reads the roster document ({@code {"celebrities": [...]}}). */
    public static Roster read(Resource resource) {
        try (InputStream in = resource.getInputStream()) {
            Document document = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build()
                    .readValue(in, Document.class);
            return new Roster(document.celebrities());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the celebrity roster " + resource + ": " + e.getMessage(), e);
        }
    }

    /** The first {@code limit} celebrities, in roster order. */
    public List<Celebrity> first(int limit) {
        return celebrities.subList(0, Math.min(Math.max(limit, 0), celebrities.size()));
    }

    public int size() {
        return celebrities.size();
    }

    private record Document(String description, List<Celebrity> celebrities) {
    }
}
