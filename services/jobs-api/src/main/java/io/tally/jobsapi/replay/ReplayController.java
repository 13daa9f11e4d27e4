package io.tally.jobsapi.replay;

import io.swagger.v3.oas.annotations.Operation;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.security.Principal;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** {@code POST /api/admin/replay} (role ADMIN): re-produces a range of a catalogue topic into itself, or counts it. */
@RestController
public class ReplayController {

    private static final Logger AUDIT = LoggerFactory.getLogger("io.tally.jobsapi.audit");

    private final Replays replays;

    public ReplayController(Replays replays) {
        this.replays = replays;
    }

    /**
     * Body of a replay.
     *
     * @param topic         catalogue topic to replay (not a dead-letter topic)
     * @param fromOffset    first offset, inclusive, in every partition; or
     * @param fromTimestamp first record at or after this instant
     * @param toOffset      last offset, inclusive (optional)
     * @param toTimestamp   stop before the first record at or after this instant (optional)
     * @param dryRun        only count the records
     */
    public record ReplayRequest(@NotBlank String topic, @Min(0) Long fromOffset, Instant fromTimestamp,
            @Min(0) Long toOffset, Instant toTimestamp, boolean dryRun) {
    }

    /** Answer of a replay: the records re-produced (or that would be, on a dry run). */
    public record ReplayResult(String topic, long records, boolean dryRun) {
    }

    @Operation(summary = "Re-produce a topic range into the same topic (key, value, headers unchanged), or count it")
    @PostMapping("/api/admin/replay")
    public ReplayResult replay(@RequestBody @Valid ReplayRequest request, Principal caller) {
        if ((request.fromOffset() == null) == (request.fromTimestamp() == null)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "give exactly one of fromOffset and fromTimestamp");
        }
        if (request.toOffset() != null && request.toTimestamp() != null) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "give at most one of toOffset and toTimestamp");
        }
        AUDIT.info("caller={} action=replay request={}", caller.getName(), request);
        long records = replays.replay(request.topic(), new Replays.Selection(request.fromOffset(),
                request.fromTimestamp(), request.toOffset(), request.toTimestamp()), request.dryRun());
        AUDIT.info("caller={} action=replay topic={} records={} dryRun={}", caller.getName(), request.topic(), records,
                request.dryRun());
        return new ReplayResult(request.topic(), records, request.dryRun());
    }
}
