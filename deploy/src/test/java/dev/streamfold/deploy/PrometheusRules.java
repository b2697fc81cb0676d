package dev.streamfold.deploy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Prometheus rule groups checked as Prometheus checks a rules file when it loads one (and the Prometheus Operator the
 * groups of a PrometheusRule): only the keys Prometheus knows, an alert or a record per rule with an expression,
 * durations in its syntax, string labels and annotations, unique group names. The expressions themselves are checked
 * by {@link PromQl}.
 */
final class PrometheusRules {

    private static final Set<String> GROUP_KEYS = Set.of("name", "interval", "limit", "query_offset", "labels", "rules");
    private static final Set<String> RULE_KEYS = Set.of("alert", "record", "expr", "for", "keep_firing_for", "labels",
            "annotations");
    /** Prometheus' durations: units from years down to milliseconds, each at most once, in that order. */
    private static final Pattern DURATION = Pattern.compile("0|(\\d+y)?(\\d+w)?(\\d+d)?(\\d+h)?(\\d+m)?(\\d+s)?(\\d+ms)?");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private PrometheusRules() {
    }

    /** Throws IllegalArgumentException naming the first problem; {@code where} says whose groups they are. */
    static void checkGroups(String where, Object groups) {
        if (!(groups instanceof List<?> list) || list.isEmpty()) {
            throw new IllegalArgumentException(where + " has no rule groups");
        }
        Set<String> names = new HashSet<>();
        for (Object group : list) {
            Map<?, ?> map = mapping(where, "a group", group);
            String name = text(where, "a group's name", map.get("name"));
            String at = where + ", group " + name;
            unknownKeys(at, map, GROUP_KEYS);
            if (!names.add(name)) {
                throw new IllegalArgumentException(where + " has two groups named " + name);
            }
            if (map.containsKey("interval")) {
                duration(at, "interval", map.get("interval"));
            }
            if (!(map.get("rules") instanceof List<?> rules) || rules.isEmpty()) {
                throw new IllegalArgumentException(at + " has no rules");
            }
            rules.forEach(rule -> checkRule(at, mapping(at, "a rule", rule)));
        }
    }

    /** Every alerting rule of the groups, in order (each as its mapping). */
    static List<Map<?, ?>> alerts(Object groups) {
        List<Map<?, ?>> alerts = new ArrayList<>();
        for (Object group : (List<?>) groups) {
            for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
                if (((Map<?, ?>) rule).containsKey("alert")) {
                    alerts.add((Map<?, ?>) rule);
                }
            }
        }
        return alerts;
    }

    private static void checkRule(String where, Map<?, ?> rule) {
        boolean alert = rule.containsKey("alert");
        if (alert == rule.containsKey("record")) {
            throw new IllegalArgumentException(where + " has a rule with both or neither of alert and record: " + rule);
        }
        String name = text(where, "a rule's name", alert ? rule.get("alert") : rule.get("record"));
        String at = where + ", rule " + name;
        unknownKeys(at, rule, RULE_KEYS);
        if (!(alert ? LABEL_NAME : METRIC_NAME).matcher(name).matches()) {
            throw new IllegalArgumentException(at + ": not a valid " + (alert ? "alert" : "metric") + " name");
        }
        text(at, "expr", rule.get("expr"));
        for (String key : List.of("for", "keep_firing_for")) {
            if (rule.containsKey(key)) {
                if (!alert) {
                    throw new IllegalArgumentException(at + ": a recording rule has no " + key);
                }
                duration(at, key, rule.get(key));
            }
        }
        strings(at, "labels", rule.get("labels"));
        if (rule.containsKey("annotations") && !alert) {
            throw new IllegalArgumentException(at + ": a recording rule has no annotations");
        }
        strings(at, "annotations", rule.get("annotations"));
    }

    private static void unknownKeys(String where, Map<?, ?> map, Set<String> known) {
        for (Object key : map.keySet()) {
            if (!known.contains(String.valueOf(key))) {
                throw new IllegalArgumentException(where + " has the field " + key + ", which Prometheus does not know"
                        + " (known: " + known.stream().sorted().toList() + ")");
            }
        }
    }

    private static void duration(String where, String key, Object value) {
        if (!(value instanceof String text) || text.isEmpty() || !DURATION.matcher(text).matches()) {
            throw new IllegalArgumentException(where + ": " + key + " is not a Prometheus duration: " + value);
        }
    }

    /** A mapping of label names to strings (YAML would read 1 or true as a number or a boolean: Prometheus refuses). */
    private static void strings(String where, String key, Object value) {
        if (value == null) {
            return;
        }
        Map<?, ?> map = mapping(where, key, value);
        map.forEach((name, text) -> {
            if (!LABEL_NAME.matcher(String.valueOf(name)).matches() || !(text instanceof String)) {
                throw new IllegalArgumentException(where + ": " + key + " needs label names with string values, has "
                        + name + ": " + text);
            }
        });
    }

    private static Map<?, ?> mapping(String where, String what, Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(where + ": " + what + " is not a mapping: " + value);
        }
        return map;
    }

    private static String text(String where, String what, Object value) {
        if (!(value instanceof String text) || text.isBlank()) {
            throw new IllegalArgumentException(where + ": " + what + " is missing or not a string: " + value);
        }
        return text;
    }
}
