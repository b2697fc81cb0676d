package dev.streamfold.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The property names that the {@code @ConfigurationProperties} records in Java sources bind, read from the sources
 * themselves (this module does not depend on the services). A record component {@code stateDir} under prefix
 * {@code enrichment} is {@code enrichment.state-dir}; a component whose type is a record of the same sources is a
 * nested group ({@code streamfold.topics.prefix}); a {@code Map} component takes any key below its name.
 */
final class ConfigurationPropertiesSources {

    private static final Pattern ANNOTATION = Pattern.compile("@(?:[\\w$]+\\.)*ConfigurationProperties\\s*\\(");
    private static final Pattern RECORD = Pattern.compile("\\brecord\\s+([A-Za-z_$][\\w$]*)\\s*(?:<[^>()]*>)?\\s*\\(");
    private static final Pattern PREFIX = Pattern.compile("^\\s*(?:(?:prefix|value)\\s*=\\s*)?\"([^\"]*)\"");
    private static final Pattern LAST_IDENTIFIER = Pattern.compile("([A-Za-z_$][\\w$]*)\\s*$");
    private static final Set<String> MODIFIERS = Set.of("public", "protected", "private", "static", "final", "abstract",
            "sealed", "non-sealed", "strictfp");

    /** What the sources bind: leaf properties, and the names under which any key binds (maps). */
    record Bindings(Set<String> properties, Set<String> mapPrefixes) {
    }

    record Component(String type, String name) {
    }

    record RecordDeclaration(String name, List<Component> components) {
    }

    private ConfigurationPropertiesSources() {
    }

    /** The properties bound by every {@code @ConfigurationProperties} record under the given source roots. */
    static Bindings read(List<Path> sourceRoots) {
        Map<Path, String> sources = new LinkedHashMap<>();
        for (Path root : sourceRoots) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(path -> path.toString().endsWith(".java")).sorted().toList()) {
                    sources.put(file, stripComments(Files.readString(file)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Map<String, RecordDeclaration> allRecords = new HashMap<>();
        sources.values().forEach(source -> records(source).forEach(record -> allRecords.putIfAbsent(record.name(), record)));

        Set<String> properties = new java.util.TreeSet<>();
        Set<String> mapPrefixes = new java.util.TreeSet<>();
        sources.forEach((file, source) -> {
            Map<String, RecordDeclaration> sameFile = new HashMap<>();
            records(source).forEach(record -> sameFile.put(record.name(), record));
            for (Map.Entry<String, String> binding : bindings(file, source).entrySet()) {
                RecordDeclaration record = sameFile.get(binding.getValue());
                collect(binding.getKey(), record, sameFile, allRecords, properties, mapPrefixes, new ArrayDeque<>());
            }
        });
        return new Bindings(properties, mapPrefixes);
    }

    /** Prefix to record name of each {@code @ConfigurationProperties} in one (comment-free) source. */
    static Map<String, String> bindings(Path file, String source) {
        Map<String, String> bindings = new LinkedHashMap<>();
        Matcher annotation = ANNOTATION.matcher(source);
        while (annotation.find()) {
            int open = annotation.end() - 1;
            int close = closingParenthesis(source, open);
            Matcher prefix = PREFIX.matcher(source.substring(open + 1, close));
            if (!prefix.find()) {
                throw new IllegalArgumentException(file + ": cannot read the prefix of " + source.substring(annotation.start(), close + 1));
            }
            String declared = declarationAfter(file, source, close + 1);
            bindings.put(prefix.group(1), declared);
        }
        return bindings;
    }

    /** The record declared after an annotation: other annotations and modifiers are skipped; anything else fails. */
    private static String declarationAfter(Path file, String source, int from) {
        int index = from;
        while (true) {
            index = skipWhitespace(source, index);
            if (index < source.length() && source.charAt(index) == '@') {
                index = skipAnnotation(source, index);
                continue;
            }
            Matcher word = Pattern.compile("\\G([\\w$-]+)").matcher(source);
            if (!word.find(index)) {
                throw new IllegalArgumentException(file + ": no declaration after @ConfigurationProperties");
            }
            String token = word.group(1);
            if (MODIFIERS.contains(token)) {
                index = word.end();
                continue;
            }
            if (token.equals("record")) {
                Matcher name = Pattern.compile("\\G\\s+([A-Za-z_$][\\w$]*)").matcher(source);
                if (name.find(word.end())) {
                    return name.group(1);
                }
            }
            throw new IllegalArgumentException(file + ": @ConfigurationProperties on something other than a record ("
                    + token + " …); ConfigurationPropertiesSources reads records only: extend it");
        }
    }

    private static void collect(String prefix, RecordDeclaration record, Map<String, RecordDeclaration> sameFile,
            Map<String, RecordDeclaration> allRecords, Set<String> properties, Set<String> mapPrefixes,
            Deque<String> path) {
        if (record == null) {
            throw new IllegalArgumentException("no record found for @ConfigurationProperties(\"" + prefix + "\")");
        }
        path.push(record.name());
        for (Component component : record.components()) {
            String name = prefix + "." + kebabCase(component.name());
            String type = component.type();
            String simpleType = simpleName(type);
            RecordDeclaration nested = sameFile.getOrDefault(simpleType, allRecords.get(simpleType));
            if (simpleType.equals("Map") || simpleType.endsWith("Map") && type.contains("<")) {
                mapPrefixes.add(name);
            } else if (nested != null && !path.contains(nested.name())) {
                collect(name, nested, sameFile, allRecords, properties, mapPrefixes, path);
            } else {
                properties.add(name);
            }
        }
        path.pop();
    }

    /** Every record declaration of a (comment-free) source, nested ones included. */
    static List<RecordDeclaration> records(String source) {
        List<RecordDeclaration> records = new ArrayList<>();
        Matcher matcher = RECORD.matcher(source);
        while (matcher.find()) {
            // "record" is a contextual keyword: what does not read as a record header is skipped.
            try {
                records.add(new RecordDeclaration(matcher.group(1), components(source, matcher.end() - 1)));
            } catch (IllegalArgumentException notARecordHeader) {
                // e.g. a local variable named record
            }
        }
        return records;
    }

    private static List<Component> components(String source, int open) {
        int close = closingParenthesis(source, open);
        List<Component> components = new ArrayList<>();
        for (String part : splitTopLevel(source.substring(open + 1, close))) {
            String declaration = withoutAnnotations(part).replaceAll("\\bfinal\\b", " ").trim();
            if (declaration.isEmpty()) {
                continue;
            }
            Matcher name = LAST_IDENTIFIER.matcher(declaration);
            if (!name.find() || declaration.substring(0, name.start()).isBlank()) {
                throw new IllegalArgumentException("cannot read the record component '" + part.trim() + "'");
            }
            components.add(new Component(declaration.substring(0, name.start()).trim(), name.group(1)));
        }
        return components;
    }

    /** {@code maxAwaitingBytes} → {@code max-awaiting-bytes}, as Spring names record components. */
    static String kebabCase(String camelCase) {
        return camelCase.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static String simpleName(String type) {
        String raw = type.replaceAll("<.*", "").replace("[]", "").replace("...", "").trim();
        int dot = raw.lastIndexOf('.');
        return dot < 0 ? raw : raw.substring(dot + 1);
    }

    /** The source without comments; string and character literals and text blocks are kept as they are. */
    static String stripComments(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                end = end < 0 ? source.length() : end + 3;
                out.append(source, i, end);
                i = end;
            } else if (c == '"' || c == '\'') {
                int end = endOfLiteral(source, i);
                out.append(source, i, end);
                i = end;
            } else if (source.startsWith("//", i)) {
                int end = source.indexOf('\n', i);
                i = end < 0 ? source.length() : end;
                out.append(' ');
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? source.length() : end + 2;
                out.append(' ');
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Index after the string or character literal starting at {@code start}. */
    private static int endOfLiteral(String source, int start) {
        char quote = source.charAt(start);
        int i = start + 1;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == quote) {
                return i + 1;
            }
            i++;
        }
        return source.length();
    }

    private static int closingParenthesis(String source, int open) {
        int depth = 0;
        int i = open;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == '"' || c == '\'') {
                i = endOfLiteral(source, i);
                continue;
            }
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
            i++;
        }
        throw new IllegalArgumentException("unbalanced parentheses from " + source.substring(open, Math.min(source.length(), open + 80)));
    }

    /** Splits at commas outside (), <>, [], {} and literals. */
    private static List<String> splitTopLevel(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'') {
                i = endOfLiteral(text, i);
                continue;
            }
            if ("(<[{".indexOf(c) >= 0) {
                depth++;
            } else if (")>]}".indexOf(c) >= 0) {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
            i++;
        }
        parts.add(text.substring(start));
        return parts;
    }

    private static String withoutAnnotations(String text) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'') {
                int end = endOfLiteral(text, i);
                out.append(text, i, end);
                i = end;
            } else if (c == '@') {
                i = skipAnnotation(text, i);
                out.append(' ');
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Index after the annotation starting at {@code at} ('@', a qualified name, optional arguments). */
    private static int skipAnnotation(String text, int at) {
        int i = at + 1;
        while (i < text.length() && (Character.isJavaIdentifierPart(text.charAt(i)) || text.charAt(i) == '.')) {
            i++;
        }
        int next = skipWhitespace(text, i);
        if (next < text.length() && text.charAt(next) == '(') {
            return closingParenthesis(text, next) + 1;
        }
        return i;
    }

    private static int skipWhitespace(String text, int from) {
        int i = from;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }
}
