package io.tally.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;

/**
 * JSON values to Avro generic data by schema and back: the engine builds a task's typed input from its evaluated
 * expressions and reads a task's output back as JSON for later expressions. Conversions are by value, not by Avro's
 * own JSON encoding: a nullable union is a plain value or null (no {@code {"string": ...}} wrapper), a
 * {@code timestamp-millis} is an ISO-8601 instant (epoch millis are accepted too), a {@code date} is
 * {@code yyyy-MM-dd}, bytes are base64. Strings that spell a number or boolean are accepted for number and boolean
 * fields, because run parameters arrive as strings. Not supported: decimals and other logical types (their
 * underlying type is used).
 */
public final class AvroJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AvroJson() {
    }

    /** A JSON value that does not fit its schema, naming where: {@code tracks[3].title}. */
    public static class MismatchException extends RuntimeException {

        private final String path;

        public MismatchException(String path, String message) {
            super(path + ": " + message);
            this.path = path;
        }

        /** Where the mismatch is, in field and index steps; {@code (root)} for the value itself. */
        public String path() {
            return path;
        }
    }

    /** A record of {@code schema} (a record schema) from a JSON object; missing fields take their defaults. */
    public static GenericRecord toRecord(JsonNode json, Schema schema) {
        if (schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("schema " + schema.getFullName() + " is not a record");
        }
        return (GenericRecord) toAvro(json, schema);
    }

    /** The Avro generic value of {@code json} for {@code schema}. */
    public static Object toAvro(JsonNode json, Schema schema) {
        return toAvro(json, schema, "(root)");
    }

    /** The JSON value of an Avro generic (or logical-type converted) datum of {@code schema}. */
    public static JsonNode toJson(Object datum, Schema schema) {
        return toJson(datum, schema, "(root)");
    }

    private static Object toAvro(JsonNode node, Schema schema, String path) {
        boolean absent = node == null || node.isNull() || node.isMissingNode();
        if (schema.getType() == Schema.Type.UNION) {
            return union(node, schema, path, absent);
        }
        if (schema.getType() == Schema.Type.NULL) {
            if (!absent) {
                throw mismatch(path, schema, node);
            }
            return null;
        }
        if (absent) {
            throw new MismatchException(path, "is null, but " + describe(schema) + " is not nullable");
        }
        LogicalType logical = schema.getLogicalType();
        return switch (schema.getType()) {
            case BOOLEAN -> {
                if (node.isBoolean()) {
                    yield node.booleanValue();
                }
                if (node.isTextual() && (node.textValue().equals("true") || node.textValue().equals("false"))) {
                    yield Boolean.parseBoolean(node.textValue());
                }
                throw mismatch(path, schema, node);
            }
            case INT -> logical instanceof LogicalTypes.Date && node.isTextual() ? (int) date(node, path).toEpochDay()
                    : (int) integral(node, schema, path, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case LONG -> isTimestampMillis(logical) && node.isTextual() ? instant(node, path).toEpochMilli()
                    : integral(node, schema, path, Long.MIN_VALUE, Long.MAX_VALUE);
            case FLOAT -> (float) decimal(node, schema, path);
            case DOUBLE -> decimal(node, schema, path);
            case STRING -> {
                if (!node.isValueNode()) {
                    throw mismatch(path, schema, node);
                }
                yield node.asText();
            }
            case BYTES -> ByteBuffer.wrap(base64(node, schema, path));
            case FIXED -> {
                byte[] bytes = base64(node, schema, path);
                if (bytes.length != schema.getFixedSize()) {
                    throw new MismatchException(path, "has " + bytes.length + " bytes, but fixed " + schema.getName()
                            + " has " + schema.getFixedSize());
                }
                yield new GenericData.Fixed(schema, bytes);
            }
            case ENUM -> {
                if (!node.isTextual() || !schema.hasEnumSymbol(node.textValue())) {
                    throw new MismatchException(path, "is " + node + ", not one of " + schema.getName() + "'s symbols "
                            + String.join(", ", schema.getEnumSymbols()));
                }
                yield new GenericData.EnumSymbol(schema, node.textValue());
            }
            case ARRAY -> {
                if (!node.isArray()) {
                    throw mismatch(path, schema, node);
                }
                List<Object> items = new ArrayList<>(node.size());
                for (int i = 0; i < node.size(); i++) {
                    items.add(toAvro(node.get(i), schema.getElementType(), path + "[" + i + "]"));
                }
                yield new GenericData.Array<>(schema, items);
            }
            case MAP -> {
                if (!node.isObject()) {
                    throw mismatch(path, schema, node);
                }
                Map<String, Object> map = new LinkedHashMap<>();
                node.fields().forEachRemaining(entry -> map.put(entry.getKey(),
                        toAvro(entry.getValue(), schema.getValueType(), path + "." + entry.getKey())));
                yield map;
            }
            case RECORD -> record(node, schema, path);
            default -> throw new MismatchException(path, "has unsupported schema type " + schema.getType());
        };
    }

    private static GenericRecord record(JsonNode node, Schema schema, String path) {
        if (!node.isObject()) {
            throw mismatch(path, schema, node);
        }
        String prefix = path.equals("(root)") ? "" : path + ".";
        node.fieldNames().forEachRemaining(name -> {
            if (schema.getField(name) == null) {
                throw new MismatchException(prefix + name, "is not a field of " + schema.getName() + " (fields: "
                        + String.join(", ", schema.getFields().stream().map(Schema.Field::name).toList()) + ")");
            }
        });
        GenericData.Record record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
            JsonNode value = node.get(field.name());
            if (value == null && field.hasDefaultValue()) {
                // The cached default may be a mutable list or map shared by every record.
                record.put(field.pos(), GenericData.get().deepCopy(field.schema(), GenericData.get().getDefaultValue(field)));
            } else if (value == null && !isNullable(field.schema())) {
                throw new MismatchException(prefix + field.name(), "is missing, and the field has no default");
            } else {
                record.put(field.pos(), toAvro(value, field.schema(), prefix + field.name()));
            }
        }
        return record;
    }

    private static Object union(JsonNode node, Schema schema, String path, boolean absent) {
        if (absent) {
            if (!isNullable(schema)) {
                throw new MismatchException(path, "is null, but " + describe(schema) + " is not nullable");
            }
            return null;
        }
        List<Schema> branches = schema.getTypes().stream().filter(branch -> branch.getType() != Schema.Type.NULL)
                .toList();
        if (branches.size() == 1) {
            return toAvro(node, branches.get(0), path);
        }
        for (Schema branch : branches) {
            try {
                return toAvro(node, branch, path);
            } catch (MismatchException e) {
                // try the next branch; the union's own message follows if none fits
            }
        }
        throw mismatch(path, schema, node);
    }

    private static JsonNode toJson(Object datum, Schema schema, String path) {
        if (schema.getType() == Schema.Type.UNION) {
            int branch = GenericData.get().resolveUnion(schema, datum);
            return toJson(datum, schema.getTypes().get(branch), path);
        }
        if (datum == null) {
            if (schema.getType() != Schema.Type.NULL) {
                throw new MismatchException(path, "is null, but " + describe(schema) + " is not nullable");
            }
            return NODES.nullNode();
        }
        LogicalType logical = schema.getLogicalType();
        return switch (schema.getType()) {
            case BOOLEAN -> NODES.booleanNode((Boolean) datum);
            case INT -> datum instanceof LocalDate date ? NODES.textNode(date.toString())
                    : logical instanceof LogicalTypes.Date ? NODES.textNode(LocalDate.ofEpochDay((Integer) datum).toString())
                    : NODES.numberNode((Integer) datum);
            case LONG -> datum instanceof Instant instant ? NODES.textNode(instant.toString())
                    : isTimestampMillis(logical) ? NODES.textNode(Instant.ofEpochMilli((Long) datum).toString())
                    : NODES.numberNode((Long) datum);
            case FLOAT -> NODES.numberNode((Float) datum);
            case DOUBLE -> NODES.numberNode((Double) datum);
            case STRING, ENUM -> NODES.textNode(datum.toString());
            case BYTES -> {
                ByteBuffer buffer = ((ByteBuffer) datum).duplicate();
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                yield NODES.textNode(Base64.getEncoder().encodeToString(bytes));
            }
            case FIXED -> NODES.textNode(Base64.getEncoder().encodeToString(((GenericFixed) datum).bytes()));
            case ARRAY -> {
                ArrayNode array = NODES.arrayNode();
                int i = 0;
                for (Object item : (Collection<?>) datum) {
                    array.add(toJson(item, schema.getElementType(), path + "[" + i++ + "]"));
                }
                yield array;
            }
            case MAP -> {
                ObjectNode object = NODES.objectNode();
                ((Map<?, ?>) datum).forEach((key, value) -> object.set(key.toString(),
                        toJson(value, schema.getValueType(), path + "." + key)));
                yield object;
            }
            case RECORD -> {
                ObjectNode object = NODES.objectNode();
                IndexedRecord record = (IndexedRecord) datum;
                String prefix = path.equals("(root)") ? "" : path + ".";
                for (Schema.Field field : schema.getFields()) {
                    object.set(field.name(), toJson(record.get(field.pos()), field.schema(), prefix + field.name()));
                }
                yield object;
            }
            default -> throw new MismatchException(path, "has unsupported schema type " + schema.getType());
        };
    }

    private static boolean isNullable(Schema schema) {
        return schema.getType() == Schema.Type.NULL || (schema.getType() == Schema.Type.UNION
                && schema.getTypes().stream().anyMatch(branch -> branch.getType() == Schema.Type.NULL));
    }

    private static boolean isTimestampMillis(LogicalType logical) {
        return logical instanceof LogicalTypes.TimestampMillis;
    }

    private static long integral(JsonNode node, Schema schema, String path, long min, long max) {
        long value;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            value = node.longValue();
        } else if (node.isTextual()) {
            try {
                value = Long.parseLong(node.textValue());
            } catch (NumberFormatException e) {
                throw mismatch(path, schema, node);
            }
        } else {
            throw mismatch(path, schema, node);
        }
        if (value < min || value > max) {
            throw new MismatchException(path, value + " does not fit " + describe(schema));
        }
        return value;
    }

    private static double decimal(JsonNode node, Schema schema, String path) {
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual()) {
            try {
                return Double.parseDouble(node.textValue());
            } catch (NumberFormatException e) {
                // the mismatch below
            }
        }
        throw mismatch(path, schema, node);
    }

    private static byte[] base64(JsonNode node, Schema schema, String path) {
        try {
            if (node.isTextual()) {
                return Base64.getDecoder().decode(node.textValue());
            }
        } catch (IllegalArgumentException e) {
            // the mismatch below
        }
        throw mismatch(path, schema, node);
    }

    private static LocalDate date(JsonNode node, String path) {
        try {
            return LocalDate.parse(node.textValue());
        } catch (DateTimeParseException e) {
            throw new MismatchException(path, "'" + node.textValue() + "' is not a date (yyyy-MM-dd)");
        }
    }

    private static Instant instant(JsonNode node, String path) {
        try {
            return OffsetDateTime.parse(node.textValue()).toInstant();
        } catch (DateTimeParseException e) {
            throw new MismatchException(path, "'" + node.textValue() + "' is not an ISO-8601 instant such as"
                    + " 2026-12-02T10:15:30Z");
        }
    }

    private static MismatchException mismatch(String path, Schema schema, JsonNode node) {
        String shown = node.toString();
        return new MismatchException(path, (shown.length() > 60 ? shown.substring(0, 60) + "..." : shown)
                + " is not " + describe(schema));
    }

    private static String describe(Schema schema) {
        if (schema.getType() == Schema.Type.UNION) {
            return "any of " + String.join(" | ", schema.getTypes().stream().map(AvroJson::describe).toList());
        }
        String name = switch (schema.getType()) {
            case RECORD, ENUM, FIXED -> schema.getType().getName() + " " + schema.getName();
            case ARRAY -> "an array";
            case MAP -> "a map";
            default -> "a" + (schema.getType() == Schema.Type.INT ? "n " : " ") + schema.getType().getName();
        };
        return schema.getLogicalType() == null ? name : name + " (" + schema.getLogicalType().getName() + ")";
    }
}
