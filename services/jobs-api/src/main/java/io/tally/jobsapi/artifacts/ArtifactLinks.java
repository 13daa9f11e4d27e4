package io.tally.jobsapi.artifacts;

import io.tally.common.artifacts.ArtifactStore;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * Turns artifact references ({@code file:} URIs of the shared {@link ArtifactStore}) into links of
 * {@code GET /api/artifacts}, so a client follows a job result's files over HTTP. Only references the store holds are
 * rewritten: any other text, including a {@code file:} URI outside the store, stays as it is.
 */
@Component
public class ArtifactLinks {

    /** Path of the artifact endpoint. */
    public static final String PATH = "/api/artifacts";

    private final ArtifactStore store;

    public ArtifactLinks(ArtifactStore store) {
        this.store = store;
    }

    /** The API link of {@code reference}, or null when it is not an artifact of this store. */
    public String link(String reference) {
        if (reference == null || !reference.startsWith("file:")) {
            return null;
        }
        try {
            URI uri = URI.create(reference);
            return store.holds(uri) ? PATH + "?ref=" + UriUtils.encodeQueryParam(reference, StandardCharsets.UTF_8) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A copy of {@code node} whose text values that are artifact references are links instead. */
    public JsonNode rewrite(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isString()) {
            String link = link(node.asString());
            return link == null ? node : StringNode.valueOf(link);
        }
        if (node instanceof ObjectNode object) {
            ObjectNode copy = object.deepCopy();
            object.properties().forEach(entry -> copy.set(entry.getKey(), rewrite(entry.getValue())));
            return copy;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode copy = array.arrayNode();
            array.forEach(element -> copy.add(rewrite(element)));
            return copy;
        }
        return node;
    }
}
