package dev.streamfold.deploy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of PromQL to check the dashboard's and the alert rules' expressions offline, without a Prometheus: the
 * pairing of brackets and quotes, and which metrics, functions and label values an expression names. It is no parser:
 * an expression these checks pass may still be refused by Prometheus, but a misspelt metric or function, a missing
 * parenthesis or an unclosed quote is caught.
 */
final class PromQl {

    /** PromQL's functions and aggregation operators that an expression may call. */
    static final Set<String> FUNCTIONS = Set.of(
            "abs", "absent", "absent_over_time", "avg", "avg_over_time", "bottomk", "ceil", "changes", "clamp",
            "clamp_max", "clamp_min", "count", "count_over_time", "count_values", "delta", "deriv", "floor", "group",
            "histogram_quantile", "idelta", "increase", "irate", "label_join", "label_replace", "last_over_time", "max",
            "max_over_time", "min", "min_over_time", "predict_linear", "quantile", "quantile_over_time", "rate",
            "resets", "round", "scalar", "sort", "sort_desc", "stddev", "stdvar", "sum", "sum_over_time", "time",
            "timestamp", "topk", "vector");

    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan");
    private static final Map<Character, Character> CLOSING = Map.of('(', ')', '[', ']', '{', '}');
    /** Double- and single-quoted strings with backslash escapes, and raw back-quoted strings. */
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^{}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\[\\]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^()]*\\)");
    /** A name not inside a number (1e9) or a duration (15m). */
    private static final Pattern NAME = Pattern.compile("(?<![\\w.$])[a-zA-Z_:][\\w:]*");
    private static final Pattern EQUALITY_MATCHER = Pattern.compile("([a-zA-Z_]\\w*)\\s*(?:=|!=)\\s*\"([^\"]*)\"");

    private PromQl() {
    }

    /** What is wrong with the pairing of brackets, braces, parentheses and quotes, if anything. */
    static Optional<String> unbalanced(String expr) {
        Deque<Character> open = new ArrayDeque<>();
        for (int i = 0; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                int end = closingQuote(expr, i);
                if (end < 0) {
                    return Optional.of("the quote " + c + " at " + i + " is never closed");
                }
                i = end;
            } else if (CLOSING.containsKey(c)) {
                open.push(c);
            } else if (CLOSING.containsValue(c)) {
                if (open.isEmpty() || CLOSING.get(open.peek()) != c) {
                    return Optional.of("the " + c + " at " + i + " closes nothing open"
                            + (open.isEmpty() ? "" : " (open: " + open.peek() + ")"));
                }
                open.pop();
            }
        }
        return open.isEmpty() ? Optional.empty() : Optional.of(open.size() + " left open, the last " + open.peek());
    }

    /** The metrics the expression selects, by name. */
    static Set<String> metricNames(String expr) {
        Set<String> metrics = new LinkedHashSet<>();
        names(expr, false).forEach(metrics::add);
        return metrics;
    }

    /** The functions and aggregation operators the expression calls. */
    static Set<String> functions(String expr) {
        Set<String> functions = new LinkedHashSet<>();
        names(expr, true).forEach(functions::add);
        return functions;
    }

    /** Label values compared for equality or inequality ({@code outcome="late"}), as label and value pairs. */
    static List<Map.Entry<String, String>> labelValues(String expr) {
        return EQUALITY_MATCHER.matcher(expr).results().map(match -> Map.entry(match.group(1), match.group(2))).toList();
    }

    private static int closingQuote(String expr, int start) {
        char quote = expr.charAt(start);
        for (int i = start + 1; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (c == '\\' && quote != '`') {
                i++;
            } else if (c == quote) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Names left once strings, label matchers, ranges and grouping clauses are taken out: those followed by a
     * parenthesis are calls, the others (keywords aside) metrics.
     */
    private static List<String> names(String expr, boolean calls) {
        String stripped = STRING.matcher(expr).replaceAll("\"\"");
        stripped = LABEL_MATCHERS.matcher(stripped).replaceAll(" ");
        stripped = RANGE.matcher(stripped).replaceAll(" ");
        stripped = GROUPING.matcher(stripped).replaceAll(" ");
        Matcher matcher = NAME.matcher(stripped);
        List<String> names = new ArrayList<>();
        while (matcher.find()) {
            String name = matcher.group();
            boolean call = stripped.substring(matcher.end()).stripLeading().startsWith("(");
            if (call == calls && (call || !KEYWORDS.contains(name.toLowerCase()))) {
                names.add(name);
            }
        }
        return names;
    }
}
