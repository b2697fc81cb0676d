package dev.streamfold.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The build-time guard for schema evolution: every current schema must read all released versions. */
class SchemaCompatibilityTest {

    private static final Path CURRENT = Path.of(System.getProperty("schemas.current", "src/main/avro"));
    private static final Path HISTORY = Path.of(System.getProperty("schemas.history", "history"));

    @TestFactory
    Stream<DynamicTest> shouldReadEveryReleasedVersionWithTheCurrentSchema() throws IOException {
        Map<String, Schema> current = parseCurrentSchemas();
        assertThat(current).isNotEmpty();
        return current.values().stream()
                .map(schema -> DynamicTest.dynamicTest(schema.getFullName(), () -> assertBackwardCompatible(schema)));
    }

    private static void assertBackwardCompatible(Schema current) throws IOException {
        List<Path> released = releasedVersions(current.getFullName());
        assertThat(released)
                .as("%s has no released version: add %s/%s/v1.avsc", current.getFullName(), HISTORY, current.getFullName())
                .isNotEmpty();
        for (Path version : released) {
            Schema writer = new Schema.Parser().parse(version.toFile());
            var result = SchemaCompatibility.checkReaderWriterCompatibility(current, writer).getResult();
            assertThat(result.getCompatibility())
                    .as("%s cannot read data written with %s: %s", current.getFullName(), version, result.getIncompatibilities())
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }
    }

    private static List<Path> releasedVersions(String fullName) throws IOException {
        Path dir = HISTORY.resolve(fullName);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
        }
    }

    /** Parses the current files, stand-alone types (enums) first so that records can refer to them by name. */
    private static Map<String, Schema> parseCurrentSchemas() throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(CURRENT)) {
            files = listing.filter(p -> p.toString().endsWith(".avsc"))
                    .sorted(Comparator.comparing((Path p) -> !isEnum(p)).thenComparing(Comparator.naturalOrder()))
                    .toList();
        }
        Schema.Parser parser = new Schema.Parser();
        Map<String, Schema> schemas = new LinkedHashMap<>();
        for (Path file : files) {
            Schema schema = parser.parse(file.toFile());
            schemas.put(schema.getFullName(), schema);
        }
        return schemas;
    }

    private static boolean isEnum(Path file) {
        try {
            return Files.readString(file).replaceAll("\\s", "").contains("\"type\":\"enum\",\"name\"");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
