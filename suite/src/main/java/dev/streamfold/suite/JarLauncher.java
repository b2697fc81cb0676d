package dev.streamfold.suite;

import dev.streamfold.localstack.ManagedProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Each service as a JVM of the build's JDK, started from the jar the build made. */
final class JarLauncher implements Launcher {

    // Five JVMs share two cores and the test's memory: small heaps, the client compiler, one GC thread.
    static final List<String> SMALL_JVM = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    @Override
    public ServiceProcess start(Service service, List<String> arguments, Path workDir, Path log) {
        List<String> command = new ArrayList<>();
        command.add(ManagedProcess.currentJava());
        command.addAll(SMALL_JVM);
        command.addAll(List.of("-jar", service.jar().toString()));
        command.addAll(arguments);
        ManagedProcess process = ManagedProcess.start(service.id() + "-service", command, Map.of(), workDir, log,
                Duration.ofSeconds(30));
        return new ServiceProcess(process, process::kill);
    }
}
