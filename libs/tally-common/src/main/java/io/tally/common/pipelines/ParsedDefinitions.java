package io.tally.common.pipelines;

import io.tally.events.PipelineDefinitionPublished;
import io.tally.pipeline.PipelineDefinition;
import io.tally.pipeline.PipelineDefinitionException;
import io.tally.pipeline.PipelineLoader;
import io.tally.pipeline.SourceText;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Published definition versions parsed once each, cached by key and content hash, for the engine and the API alike.
 * A version that does not parse is remembered as such, so it is not parsed again on every read; what to do about it
 * is the caller's: {@link #parse} throws, {@link #parseOrSkip} leaves it out. Known gap: every version ever read stays cached for the life
 * of the cache, a few KB each.
 */
public final class ParsedDefinitions {

    private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();

    /**
     * The definition {@code published} holds.
     *
     * @throws PipelineDefinitionException when its YAML does not parse with this release's loader
     */
    public PipelineDefinition parse(PipelineDefinitionPublished published) {
        Parsed parsed = cached(published, problem -> { });
        if (parsed.problem() != null) {
            throw parsed.problem();
        }
        return parsed.definition();
    }

    /**
     * The definition {@code published} holds, or empty when it does not parse; {@code onNewProblem} hears of each
     * such version once, when it is first read.
     */
    public Optional<PipelineDefinition> parseOrSkip(PipelineDefinitionPublished published,
                                                    Consumer<PipelineDefinitionException> onNewProblem) {
        return Optional.ofNullable(cached(published, onNewProblem).definition());
    }

    private Parsed cached(PipelineDefinitionPublished published, Consumer<PipelineDefinitionException> onNewProblem) {
        String key = PublishedDefinitions.key(published.getName(), published.getVersion());
        Parsed cached = parsed.get(key);
        if (cached == null || !cached.sha256().equals(published.getSha256())) {
            cached = load(published);
            parsed.put(key, cached);
            if (cached.problem() != null) {
                onNewProblem.accept(cached.problem());
            }
        }
        return cached;
    }

    private static Parsed load(PipelineDefinitionPublished published) {
        try {
            return new Parsed(published.getSha256(),
                    PipelineLoader.load(new SourceText(published.getFile(), published.getYaml())), null);
        } catch (PipelineDefinitionException e) {
            return new Parsed(published.getSha256(), null, e);
        }
    }

    /** One version: its definition, or the problem that kept it from parsing. */
    private record Parsed(String sha256, PipelineDefinition definition, PipelineDefinitionException problem) {
    }
}
