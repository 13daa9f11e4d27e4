package io.tally.jobsapi.replay;

import io.swagger.v3.oas.annotations.Operation;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.security.Principal;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** Admin endpoints over the dead-letter topics (role ADMIN): list them and redrive records to their original topics. */
@RestController
@RequestMapping("/api/admin/dead-letters")
public class DeadLetterController {

    private static final Logger AUDIT = LoggerFactory.getLogger("io.tally.jobsapi.audit");

    private final DeadLetters deadLetters;

    public DeadLetterController(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    /**
     * Body of a redrive: exactly one of {@code all=true} or a non-empty {@code offsets} list.
     *
     * @param all     redrive every record of the topic
     * @param offsets the records to redrive
     */
    public record RedriveRequest(Boolean all, @Size(max = 10_000) List<@Valid @NotNull Offset> offsets) {
    }

    /**
     * One selected record.
     *
     * @param partition its partition
     * @param offset    its offset
     */
    public record Offset(@NotNull @Min(0) Integer partition, @NotNull @Min(0) Long offset) {
    }

    @Operation(summary = "The newest records of a dead-letter topic with their original topic and reason")
    @GetMapping("/{topic}")
    public List<DeadLetters.Entry> list(@PathVariable String topic,
            @RequestParam(defaultValue = "50") @Min(1) @Max(1000) int limit, Principal caller) {
        AUDIT.info("caller={} action=dead-letters.list topic={} limit={}", caller.getName(), topic, limit);
        return deadLetters.list(topic, limit);
    }

    @Operation(summary = "Send dead letters back to their original topics (at-least-once; consumers dedupe)")
    @PostMapping("/{topic}/redrive")
    public DeadLetters.Redriven redrive(@PathVariable String topic, @RequestBody @Valid RedriveRequest request,
            Principal caller) {
        boolean all = Boolean.TRUE.equals(request.all());
        boolean some = request.offsets() != null && !request.offsets().isEmpty();
        if (all == some) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "body: give either {\"all\": true} or a non-empty {\"offsets\": [{\"partition\": 0, \"offset\": 3}]}");
        }
        List<DeadLetters.Position> positions = all ? null : request.offsets().stream()
                .map(offset -> new DeadLetters.Position(offset.partition(), offset.offset()))
                .distinct()
                .toList();
        AUDIT.info("caller={} action=dead-letters.redrive topic={} selection={}", caller.getName(), topic,
                all ? "all" : positions);
        DeadLetters.Redriven result = deadLetters.redrive(topic, positions);
        AUDIT.info("caller={} action=dead-letters.redrive topic={} selected={} redriven={} skipped={}", caller.getName(),
                topic, result.selected(), result.redriven(), result.skipped());
        return result;
    }
}
