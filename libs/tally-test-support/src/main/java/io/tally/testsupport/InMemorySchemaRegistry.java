package io.tally.testsupport;

import com.microsoft.kiota.ApiException;
import io.apicurio.registry.resolver.client.RegistryArtifactReference;
import io.apicurio.registry.resolver.client.RegistryClientFacade;
import io.apicurio.registry.resolver.client.RegistryVersionCoordinates;
import io.apicurio.registry.resolver.strategy.ArtifactReference;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A schema registry in memory, for topology tests: one content id per distinct schema text, so the real Apicurio
 * serdes frame records exactly as they do against a registry process. Unknown ids fail like the real client (a 404).
 */
public final class InMemorySchemaRegistry implements RegistryClientFacade {

    private final Map<String, Long> idsBySchema = new ConcurrentHashMap<>();
    private final Map<Long, String> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Long> latestByArtifact = new ConcurrentHashMap<>();

    @Override
    public RegistryVersionCoordinates createSchema(String artifactType, String groupId, String artifactId, String version,
                                                   String ifExists, boolean canonical, String schema,
                                                   Set<RegistryArtifactReference> references) {
        long id = idsBySchema.computeIfAbsent(schema, text -> {
            long next = idsBySchema.size() + 1L;
            schemasById.put(next, text);
            return next;
        });
        latestByArtifact.put(artifactId, id);
        return RegistryVersionCoordinates.create(id, id, groupId, artifactId, Long.toString(id));
    }

    @Override
    public String getSchemaByContentId(Long contentId) {
        return lookup(contentId);
    }

    @Override
    public String getSchemaByGlobalId(long globalId, boolean dereferenced) {
        return lookup(globalId);
    }

    @Override
    public String getSchemaByGAV(String groupId, String artifactId, String version) {
        return lookup(latestByArtifact.getOrDefault(artifactId, -1L));
    }

    @Override
    public String getSchemaByContentHash(String contentHash) {
        throw new UnsupportedOperationException("content hashes are not used with use-id=contentId");
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByContentId(long contentId) {
        return List.of();
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByGlobalId(long globalId) {
        return List.of();
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByGAV(String groupId, String artifactId, String version) {
        return List.of();
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByContentHash(String contentHash) {
        return List.of();
    }

    @Override
    public List<RegistryVersionCoordinates> searchVersionsByContent(String schema, String artifactType,
                                                                    ArtifactReference reference, boolean canonical) {
        Long id = idsBySchema.get(schema);
        return id == null ? List.of()
                : List.of(RegistryVersionCoordinates.create(id, id, reference.getGroupId(), reference.getArtifactId(), Long.toString(id)));
    }

    @Override
    public RegistryVersionCoordinates getVersionCoordinatesByGAV(String groupId, String artifactId, String version) {
        long id = latestByArtifact.getOrDefault(artifactId, -1L);
        lookup(id);
        return RegistryVersionCoordinates.create(id, id, groupId, artifactId, Long.toString(id));
    }

    @Override
    public Object getClient() {
        return this;
    }

    private String lookup(long id) {
        String schema = schemasById.get(id);
        if (schema == null) {
            throw new NotFound("No content with id " + id);
        }
        return schema;
    }

    /** What the real client throws for an unknown id. */
    private static final class NotFound extends ApiException {
        NotFound(String message) {
            super(message);
            setResponseStatusCode(404);
        }
    }
}
