package io.tally.charttests;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Reads rendered manifests into fabric8's Kubernetes model and rejects what the API server would reject: fields the
 * model does not know (caught in the model's additionalProperties) and scalars of the wrong type (Jackson's lenient
 * coercions turned off, so {@code replicas: "2"} or an env {@code value: 8080} fail). Known gap: the model is
 * fabric8 8.0.0's, not the target cluster's OpenAPI; the two Prometheus Operator kinds are checked as plain maps.
 */
final class StrictKubernetesModel {

    /** The built-in kinds the chart may render, by apiVersion/kind. A new kind must be added here on purpose. */
    static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "apps/v1/Deployment", Deployment.class,
            "apps/v1/StatefulSet", StatefulSet.class,
            "v1/Service", Service.class,
            "v1/ServiceAccount", ServiceAccount.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/PersistentVolumeClaim", PersistentVolumeClaim.class,
            "v1/Pod", Pod.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class);

    /** Custom resources of the Prometheus Operator, checked as maps by the tests. */
    static final List<String> CUSTOM_KINDS = List.of("monitoring.coreos.com/v1/ServiceMonitor",
            "monitoring.coreos.com/v1/PrometheusRule");

    private static final ObjectMapper MAPPER = strictMapper();

    private StrictKubernetesModel() {
    }

    static String typeOf(Map<String, Object> document) {
        return document.get("apiVersion") + "/" + document.get("kind");
    }

    /** The typed object of a built-in kind; fails on unknown kinds, unknown fields and wrong scalar types. */
    static HasMetadata read(Map<String, Object> document) {
        String type = typeOf(document);
        Class<? extends HasMetadata> model = KINDS.get(type);
        if (model == null) {
            throw new AssertionError("the chart rendered " + type + ", which the strict check does not know");
        }
        HasMetadata resource;
        try {
            resource = MAPPER.convertValue(document, model);
        } catch (IllegalArgumentException e) {
            throw new AssertionError(type + " " + name(document) + " does not fit the Kubernetes model: " + e.getMessage(), e);
        }
        List<String> unknown = new ArrayList<>();
        collectUnknownFields(resource, type + "(" + name(document) + ")", unknown);
        if (!unknown.isEmpty()) {
            throw new AssertionError("fields unknown to the Kubernetes model: " + unknown);
        }
        return resource;
    }

    @SuppressWarnings("unchecked")
    private static String name(Map<String, Object> document) {
        Object metadata = document.get("metadata");
        return metadata instanceof Map<?, ?> map ? String.valueOf(((Map<String, Object>) map).get("name")) : "?";
    }

    private static ObjectMapper strictMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .build();
        // The API server refuses a number or boolean where the schema says string (e.g. env values, label values).
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    /** Walks the model graph; every non-empty additionalProperties map is a field the model did not recognise. */
    private static void collectUnknownFields(Object node, String path, List<String> unknown) {
        if (node == null) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                collectUnknownFields(item, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> collectUnknownFields(value, path + "." + key, unknown));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Class<?> type = node.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                field.setAccessible(true);
                Object value;
                try {
                    value = field.get(node);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
                if (field.getName().equals("additionalProperties")) {
                    if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        unknown.add(path + " " + extra.keySet());
                    }
                } else {
                    collectUnknownFields(value, path + "." + field.getName(), unknown);
                }
            }
        }
    }
}
