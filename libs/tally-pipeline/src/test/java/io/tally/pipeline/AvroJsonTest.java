package io.tally.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** JSON to Avro generic records by schema and back, with nullable unions, logical types, defaults and located errors. */
class AvroJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Schema SCHEMA = new Schema.Parser().parse("""
            {"type": "record", "name": "SearchTrack", "namespace": "io.tally.tasks", "fields": [
              {"name": "trackKey", "type": "string"},
              {"name": "artists", "type": {"type": "array", "items": "string"}},
              {"name": "mix", "type": ["null", "string"], "default": null},
              {"name": "bpm", "type": ["null", "int"]},
              {"name": "position", "type": "int"},
              {"name": "plays", "type": "long", "default": 0},
              {"name": "explicit", "type": "boolean", "default": false},
              {"name": "resolution", "type": {"type": "enum", "name": "Resolution", "symbols": ["FOUND", "NOT_FOUND"]}},
              {"name": "requestedAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "chartDate", "type": ["null", {"type": "int", "logicalType": "date"}], "default": null},
              {"name": "tags", "type": {"type": "map", "values": "string"}, "default": {}},
              {"name": "video", "type": ["null", {"type": "record", "name": "Video", "fields": [
                {"name": "id", "type": "string"}, {"name": "score", "type": "double"}]}], "default": null}
            ]}
            """);

    @Test
    void buildsARecordAndReadsItBackToTheSameJson() {
        // Given JSON with every kind of field, the timestamp as an ISO instant
        JsonNode input = json("""
                {"trackKey": "trk-1", "artists": ["A", "B"], "mix": "Extended Mix", "bpm": 124, "position": 3,
                 "plays": 12, "explicit": true, "resolution": "FOUND", "requestedAt": "2026-12-02T10:15:30Z",
                 "chartDate": "2026-01-25", "tags": {"genre": "house"}, "video": {"id": "v1", "score": 0.9}}
                """);

        // When it becomes a record
        GenericRecord record = AvroJson.toRecord(input, SCHEMA);

        // Then the fields are Avro values, and the record is valid for its schema
        assertThat(GenericData.get().validate(SCHEMA, record)).isTrue();
        assertThat(record.get("requestedAt")).isEqualTo(Instant.parse("2026-12-02T10:15:30Z").toEpochMilli());
        assertThat(record.get("chartDate")).isEqualTo(20478);
        assertThat(record.get("resolution").toString()).isEqualTo("FOUND");
        assertThat(((GenericRecord) record.get("video")).get("score")).isEqualTo(0.9);
        // And back to JSON it is what went in
        assertThat(AvroJson.toJson(record, SCHEMA).toString()).isEqualTo(input.toString());
    }

    @Test
    void nullableUnionsTakeNullOrAPlainValueAndMissingFieldsTheirDefaults() {
        // Given only the required fields, bpm missing (nullable without default), epoch millis for the timestamp
        GenericRecord record = AvroJson.toRecord(json("""
                {"trackKey": "trk-1", "artists": [], "mix": null, "position": "7", "resolution": "NOT_FOUND",
                 "requestedAt": 1764670530000}
                """), SCHEMA);

        // Then nulls and defaults fill the rest, and a numeric string counts as an int
        assertThat(record.get("mix")).isNull();
        assertThat(record.get("bpm")).isNull();
        assertThat(record.get("plays")).isEqualTo(0L);
        assertThat(record.get("explicit")).isEqualTo(false);
        assertThat(record.get("tags")).isEqualTo(Map.of());
        assertThat(record.get("position")).isEqualTo(7);
        assertThat(GenericData.get().validate(SCHEMA, record)).isTrue();
        assertThat(AvroJson.toJson(record, SCHEMA).get("mix").isNull()).isTrue();
        assertThat(AvroJson.toJson(record, SCHEMA).get("requestedAt").asText()).isEqualTo("2025-12-02T10:15:30Z");
    }

    @Test
    void namesTheFieldPathOfAMismatch() {
        assertThat(mismatch("{\"trackKey\": \"t\", \"artists\": [\"A\", {\"x\": 1}], \"position\": 1,"
                + " \"resolution\": \"FOUND\", \"requestedAt\": 1}"))
                .hasMessage("artists[1]: {\"x\":1} is not a string");
        assertThat(mismatch("{\"trackKey\": \"t\", \"artists\": [], \"position\": 1, \"resolution\": \"LOST\","
                + " \"requestedAt\": 1}"))
                .hasMessage("resolution: is \"LOST\", not one of Resolution's symbols FOUND, NOT_FOUND");
        assertThat(mismatch("{\"trackKey\": \"t\", \"artists\": [], \"position\": 1, \"resolution\": \"FOUND\","
                + " \"requestedAt\": 1, \"video\": {\"id\": \"v\", \"score\": \"high\"}}"))
                .hasMessage("video.score: \"high\" is not a double");
        assertThat(mismatch("{\"trackKey\": null, \"artists\": [], \"position\": 1, \"resolution\": \"FOUND\","
                + " \"requestedAt\": 1}"))
                .hasMessage("trackKey: is null, but a string is not nullable");
        assertThat(mismatch("{\"artists\": [], \"position\": 1, \"resolution\": \"FOUND\", \"requestedAt\": 1}"))
                .hasMessage("trackKey: is missing, and the field has no default");
        assertThat(mismatch("{\"trackKey\": \"t\", \"artist\": [], \"position\": 1, \"resolution\": \"FOUND\","
                + " \"requestedAt\": 1}").path()).isEqualTo("artist");
        assertThat(mismatch("{\"trackKey\": \"t\", \"artists\": [], \"position\": 3000000000, \"resolution\": \"FOUND\","
                + " \"requestedAt\": \"yesterday\"}"))
                .hasMessage("position: 3000000000 does not fit an int");
    }

    @Test
    void triesEachBranchOfAUnionOfSeveralTypes() {
        Schema union = new Schema.Parser().parse("[\"null\", \"long\", \"string\", {\"type\": \"array\", \"items\": \"int\"}]");

        assertThat(AvroJson.toAvro(json("5"), union)).isEqualTo(5L);
        assertThat(AvroJson.toAvro(json("\"five\""), union)).isEqualTo("five");
        assertThat(AvroJson.toAvro(json("[1, 2]"), union)).isEqualTo(List.of(1, 2));
        assertThat(AvroJson.toAvro(json("null"), union)).isNull();
        assertThat(catchThrowableOfType(AvroJson.MismatchException.class, () -> AvroJson.toAvro(json("{}"), union)))
                .hasMessage("(root): {} is not any of a null | a long | a string | an array");
    }

    private static AvroJson.MismatchException mismatch(String input) {
        return catchThrowableOfType(AvroJson.MismatchException.class, () -> AvroJson.toRecord(json(input), SCHEMA));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
