package dev.streamfold.deploy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of the Compose specification (https://compose-spec.io) that docker-compose.yml is held to, written for this
 * project from the specification's prose: the keys allowed at the top level, in a service and in the top-level
 * declarations; and the shapes of the values whose mistakes Compose would only report at {@code docker compose up}
 * (depends_on, healthcheck, ports, environment, restart, and the named volumes, networks, configs and secrets a
 * service refers to). Keys starting with {@code x-} are extensions and allowed wherever keys are checked.
 *
 * <p>Not a full validator: values of keys the file does not use (build, deploy, develop, logging, …) are only checked
 * to be present under an allowed name. {@link #violations} returns one line per problem, led by its path in the file.
 */
final class ComposeRules {

    static final Set<String> TOP_LEVEL_KEYS = Set.of(
            "version", "name", "include", "services", "networks", "volumes", "configs", "secrets", "models");

    /** Every attribute of a service definition the specification lists (build and deploy have their own specs). */
    static final Set<String> SERVICE_KEYS = Set.of(
            "annotations", "attach", "blkio_config", "build", "cap_add", "cap_drop", "cgroup", "cgroup_parent",
            "command", "configs", "container_name", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota",
            "cpu_rt_period", "cpu_rt_runtime", "cpu_shares", "cpus", "cpuset", "credential_spec", "depends_on",
            "deploy", "develop", "device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search", "domainname",
            "entrypoint", "env_file", "environment", "expose", "extends", "external_links", "extra_hosts", "gpus",
            "group_add", "healthcheck", "hostname", "image", "init", "ipc", "isolation", "label_file", "labels", "links",
            "logging", "mac_address", "mem_limit", "mem_reservation", "mem_swappiness", "memswap_limit", "models",
            "network_mode", "networks", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "platform", "ports",
            "post_start", "pre_stop", "privileged", "profiles", "provider", "pull_policy", "read_only", "restart",
            "runtime", "scale", "secrets", "security_opt", "shm_size", "stdin_open", "stop_grace_period",
            "stop_signal", "storage_opt", "sysctls", "tmpfs", "tty", "ulimits", "use_api_socket", "user", "userns_mode",
            "uts", "volumes", "volumes_from", "working_dir");

    static final Set<String> HEALTHCHECK_KEYS = Set.of(
            "test", "interval", "timeout", "retries", "start_period", "start_interval", "disable");

    static final Set<String> DEPENDS_ON_KEYS = Set.of("condition", "restart", "required");

    static final Set<String> DEPENDS_ON_CONDITIONS = Set.of(
            "service_started", "service_healthy", "service_completed_successfully");

    static final Set<String> PORT_KEYS = Set.of(
            "name", "target", "published", "host_ip", "protocol", "app_protocol", "mode");

    static final Set<String> SERVICE_VOLUME_KEYS = Set.of(
            "type", "source", "target", "read_only", "consistency", "bind", "volume", "tmpfs", "image");

    static final Set<String> SERVICE_VOLUME_TYPES = Set.of("bind", "volume", "tmpfs", "npipe", "cluster", "image");

    /** The access and SELinux / propagation / consistency flags of a short volume syntax's third part. */
    static final Set<String> SERVICE_VOLUME_MODES = Set.of(
            "ro", "rw", "z", "Z", "nocopy", "shared", "rshared", "slave", "rslave", "private", "rprivate",
            "consistent", "cached", "delegated");

    static final Set<String> SERVICE_NETWORK_KEYS = Set.of(
            "aliases", "ipv4_address", "ipv6_address", "link_local_ips", "mac_address", "driver_opts", "priority",
            "gw_priority", "interface_name");

    static final Set<String> SERVICE_FILE_REFERENCE_KEYS = Set.of("source", "target", "uid", "gid", "mode");

    static final Map<String, Set<String>> DECLARATION_KEYS = Map.of(
            "volumes", Set.of("name", "driver", "driver_opts", "external", "labels"),
            "networks", Set.of("name", "driver", "driver_opts", "ipam", "external", "internal", "enable_ipv4",
                    "enable_ipv6", "attachable", "labels"),
            "configs", Set.of("name", "file", "environment", "content", "external", "labels", "template_driver"),
            "secrets", Set.of("name", "file", "environment", "external", "labels", "driver", "driver_opts",
                    "template_driver"));

    static final Set<String> RESTART_POLICIES = Set.of("no", "always", "on-failure", "unless-stopped");

    /** One or more {@code <number><unit>} with the units us, ms, s, m, h: 10s, 1m30s, 1.5s, 2h46m40s. */
    private static final Pattern DURATION = Pattern.compile("(\\d+(\\.\\d+)?(us|ms|s|m|h))+");
    private static final Pattern PORT_OR_RANGE = Pattern.compile("(\\d{1,5})(-(\\d{1,5}))?");
    private static final Pattern SERVICE_NAME = Pattern.compile("[a-zA-Z0-9._-]+");
    private static final Pattern PROJECT_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final Pattern RESOURCE_NAME = Pattern.compile("[a-zA-Z0-9._-]+");
    /** A named volume in the short syntax; anything starting with '/', '.', '~' or a drive letter is a host path. */
    private static final Pattern NAMED_VOLUME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

    private final List<String> violations = new ArrayList<>();
    private final Map<String, Object> file;

    private ComposeRules(Map<String, Object> file) {
        this.file = file;
    }

    /** Every breach of the rules in {@code file} (a compose file as YAML reads it), or none. */
    static List<String> violations(Map<String, Object> file) {
        ComposeRules rules = new ComposeRules(file);
        rules.checkFile();
        return List.copyOf(rules.violations);
    }

    static boolean isExtension(Object key) {
        return String.valueOf(key).startsWith("x-");
    }

    private void checkFile() {
        unknownKeys("", file, TOP_LEVEL_KEYS);
        Object name = file.get("name");
        if (name != null && !(name instanceof String text && PROJECT_NAME.matcher(text).matches())) {
            report("name", "must be lower-case letters, digits, '-' and '_', starting with a letter or digit: " + name);
        }
        Object services = file.get("services");
        if (services != null && !(services instanceof Map<?, ?>)) {
            report("services", "must be a mapping of service names to service definitions");
        }
        for (String element : DECLARATION_KEYS.keySet()) {
            checkDeclarations(element);
        }
        services().forEach((serviceName, definition) -> {
            String path = "services." + serviceName;
            if (!SERVICE_NAME.matcher(String.valueOf(serviceName)).matches()) {
                report(path, "a service name has only letters, digits, '.', '_' and '-'");
            }
            if (definition instanceof Map<?, ?> service) {
                checkService(path, service);
            } else {
                report(path, "must be a mapping (a service definition)");
            }
        });
    }

    private void checkDeclarations(String element) {
        Object declared = file.get(element);
        if (declared == null) {
            return;
        }
        if (!(declared instanceof Map<?, ?> declarations)) {
            report(element, "must be a mapping of names to definitions");
            return;
        }
        declarations.forEach((name, definition) -> {
            String path = element + "." + name;
            if (!isExtension(name) && !RESOURCE_NAME.matcher(String.valueOf(name)).matches()) {
                report(path, "a name has only letters, digits, '.', '_' and '-'");
            }
            if (definition instanceof Map<?, ?> map) {
                unknownKeys(path, map, DECLARATION_KEYS.get(element));
            } else if (definition != null && !isExtension(name)) {
                report(path, "must be empty or a mapping");
            }
        });
    }

    private void checkService(String path, Map<?, ?> service) {
        unknownKeys(path, service, SERVICE_KEYS);
        Object image = service.get("image");
        if (image == null && service.get("build") == null && service.get("extends") == null
                && service.get("provider") == null) {
            report(path, "has neither image nor build (nor extends, nor provider)");
        }
        if (image != null && !(image instanceof String)) {
            report(path + ".image", "must be a string");
        }
        checkCommand(path + ".command", service.get("command"));
        checkCommand(path + ".entrypoint", service.get("entrypoint"));
        checkDependsOn(path + ".depends_on", service.get("depends_on"));
        checkHealthcheck(path + ".healthcheck", service.get("healthcheck"));
        checkPorts(path + ".ports", service.get("ports"));
        checkEnvironment(path + ".environment", service.get("environment"));
        checkRestart(path + ".restart", service.get("restart"));
        checkVolumes(path + ".volumes", service.get("volumes"));
        checkNetworks(path + ".networks", service.get("networks"));
        checkFileReferences(path + ".configs", service.get("configs"), "configs");
        checkFileReferences(path + ".secrets", service.get("secrets"), "secrets");
        checkDuration(path + ".stop_grace_period", service.get("stop_grace_period"));
        Object user = service.get("user");
        if (user != null && !(user instanceof String)) {
            report(path + ".user", "must be a string (quote a numeric uid:gid)");
        }
    }

    private void checkCommand(String path, Object command) {
        if (command == null || command instanceof String) {
            return;
        }
        if (!(command instanceof List<?> list) || list.stream().anyMatch(part -> !(part instanceof String))) {
            report(path, "must be a string (shell form) or a list of strings (exec form)");
        }
    }

    private void checkDependsOn(String path, Object dependsOn) {
        if (dependsOn == null) {
            return;
        }
        if (dependsOn instanceof List<?> names) {
            names.forEach(name -> dependency(path, name));
            return;
        }
        if (!(dependsOn instanceof Map<?, ?> dependencies)) {
            report(path, "must be a list of service names or a mapping of service names to conditions");
            return;
        }
        dependencies.forEach((name, settings) -> {
            String entry = path + "." + name;
            dependency(path, name);
            if (!(settings instanceof Map<?, ?> longForm)) {
                report(entry, "must be a mapping with a condition");
                return;
            }
            unknownKeys(entry, longForm, DEPENDS_ON_KEYS);
            Object condition = longForm.get("condition");
            if (condition == null) {
                report(entry + ".condition", "is required in the long syntax");
            } else if (!DEPENDS_ON_CONDITIONS.contains(String.valueOf(condition))) {
                report(entry + ".condition", "'" + condition + "' is none of " + sorted(DEPENDS_ON_CONDITIONS));
            }
            for (String flag : List.of("restart", "required")) {
                if (longForm.containsKey(flag) && !(longForm.get(flag) instanceof Boolean)) {
                    report(entry + "." + flag, "must be a boolean");
                }
            }
        });
    }

    private void dependency(String path, Object name) {
        if (!(name instanceof String) || !services().containsKey(name)) {
            report(path, "'" + name + "' is no service of the file");
        }
    }

    private void checkHealthcheck(String path, Object healthcheck) {
        if (healthcheck == null) {
            return;
        }
        if (!(healthcheck instanceof Map<?, ?> settings)) {
            report(path, "must be a mapping");
            return;
        }
        unknownKeys(path, settings, HEALTHCHECK_KEYS);
        Object test = settings.get("test");
        if (test instanceof List<?> list) {
            if (list.isEmpty() || list.stream().anyMatch(part -> !(part instanceof String))) {
                report(path + ".test", "must be a non-empty list of strings");
            } else if (!Set.of("NONE", "CMD", "CMD-SHELL").contains(list.get(0))) {
                report(path + ".test", "a list starts with NONE, CMD or CMD-SHELL, not '" + list.get(0) + "'");
            } else if (!"NONE".equals(list.get(0)) && list.size() < 2) {
                report(path + ".test", list.get(0) + " needs a command after it");
            }
        } else if (test != null && !(test instanceof String)) {
            report(path + ".test", "must be a string (run by the shell) or a list");
        }
        for (String duration : List.of("interval", "timeout", "start_period", "start_interval")) {
            checkDuration(path + "." + duration, settings.get(duration));
        }
        Object retries = settings.get("retries");
        if (retries != null && !(retries instanceof Integer count && count >= 0)) {
            report(path + ".retries", "must be a whole number ≥ 0, not '" + retries + "'");
        }
        Object disable = settings.get("disable");
        if (disable != null && !(disable instanceof Boolean)) {
            report(path + ".disable", "must be a boolean");
        }
    }

    private void checkDuration(String path, Object duration) {
        if (duration != null && !(duration instanceof String text && DURATION.matcher(text).matches())) {
            report(path, "'" + duration + "' is no Compose duration (e.g. 10s, 1m30s, 500ms; units us ms s m h)");
        }
    }

    private void checkPorts(String path, Object ports) {
        if (ports == null) {
            return;
        }
        if (!(ports instanceof List<?> list)) {
            report(path, "must be a list");
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String entry = path + "[" + i + "]";
            Object port = list.get(i);
            if (port instanceof Integer number) {
                checkPortNumber(entry, String.valueOf(number));
            } else if (port instanceof String text) {
                checkShortPort(entry, text);
            } else if (port instanceof Map<?, ?> longForm) {
                unknownKeys(entry, longForm, PORT_KEYS);
                Object target = longForm.get("target");
                if (target == null) {
                    report(entry + ".target", "is required in the long syntax");
                } else {
                    checkPortNumber(entry + ".target", String.valueOf(target));
                }
                if (longForm.get("published") != null) {
                    checkPortOrRange(entry + ".published", String.valueOf(longForm.get("published")));
                }
                Object protocol = longForm.get("protocol");
                if (protocol != null && !Set.of("tcp", "udp", "sctp").contains(String.valueOf(protocol))) {
                    report(entry + ".protocol", "'" + protocol + "' is none of tcp, udp, sctp");
                }
                Object mode = longForm.get("mode");
                if (mode != null && !Set.of("host", "ingress").contains(String.valueOf(mode))) {
                    report(entry + ".mode", "'" + mode + "' is none of host, ingress");
                }
            } else {
                report(entry, "must be a \"[[IP:]HOST:]CONTAINER[/PROTOCOL]\" string, a port number or a mapping");
            }
        }
    }

    /** {@code [[IP:][HOST]:]CONTAINER[/PROTOCOL]}; an IPv6 address in brackets; ports or ranges like 9090-9091. */
    private void checkShortPort(String path, String text) {
        String rest = text;
        int slash = rest.lastIndexOf('/');
        if (slash >= 0) {
            String protocol = rest.substring(slash + 1);
            if (!Set.of("tcp", "udp", "sctp").contains(protocol)) {
                report(path, "'" + text + "': protocol '" + protocol + "' is none of tcp, udp, sctp");
            }
            rest = rest.substring(0, slash);
        }
        String ip = null;
        if (rest.startsWith("[")) {
            int close = rest.indexOf("]:");
            if (close < 0) {
                report(path, "'" + text + "': an IPv6 address in brackets is followed by ':'");
                return;
            }
            ip = rest.substring(1, close);
            rest = rest.substring(close + 2);
        }
        String[] parts = rest.split(":", -1);
        if (ip == null && parts.length == 3) {
            ip = parts[0];
            parts = new String[] {parts[1], parts[2]};
        }
        if (ip != null && (ip.isEmpty() || !ip.matches("[0-9a-fA-F.:]+"))) {
            report(path, "'" + text + "': '" + ip + "' is no IP address");
        }
        if (parts.length == 1) {
            checkPortOrRange(path, parts[0]);
        } else if (parts.length == 2) {
            if (!parts[0].isEmpty() || ip == null) {
                checkPortOrRange(path, parts[0]);
            }
            checkPortOrRange(path, parts[1]);
        } else {
            report(path, "'" + text + "' is not [[IP:]HOST:]CONTAINER[/PROTOCOL]");
        }
    }

    private void checkPortOrRange(String path, String text) {
        var matcher = PORT_OR_RANGE.matcher(text);
        if (!matcher.matches()) {
            report(path, "'" + text + "' is no port or port range");
            return;
        }
        checkPortNumber(path, matcher.group(1));
        if (matcher.group(3) != null) {
            checkPortNumber(path, matcher.group(3));
            if (Integer.parseInt(matcher.group(3)) < Integer.parseInt(matcher.group(1))) {
                report(path, "'" + text + "' is a range ending before it starts");
            }
        }
    }

    private void checkPortNumber(String path, String text) {
        int port;
        try {
            port = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            report(path, "'" + text + "' is no port number");
            return;
        }
        if (port < 1 || port > 65535) {
            report(path, port + " is outside 1-65535");
        }
    }

    private void checkEnvironment(String path, Object environment) {
        if (environment == null) {
            return;
        }
        if (environment instanceof Map<?, ?> map) {
            map.forEach((name, value) -> {
                if (String.valueOf(name).isBlank() || String.valueOf(name).contains("=")) {
                    report(path, "'" + name + "' is no variable name");
                }
                if (value instanceof Map<?, ?> || value instanceof List<?>) {
                    report(path + "." + name, "must be a string, number, boolean or empty, not a "
                            + (value instanceof Map<?, ?> ? "mapping" : "list"));
                }
            });
        } else if (environment instanceof List<?> list) {
            Set<String> names = new HashSet<>();
            for (int i = 0; i < list.size(); i++) {
                Object entry = list.get(i);
                // NAME=value; a bare NAME takes its value from the shell that runs Compose.
                String name = entry instanceof String text ? text.split("=", 2)[0] : "";
                if (name.isBlank() || name.contains(" ")) {
                    report(path + "[" + i + "]", "'" + entry + "' is not NAME=value");
                } else if (!names.add(name)) {
                    report(path + "[" + i + "]", name + " is set twice");
                }
            }
        } else {
            report(path, "must be a mapping of names to values or a list of NAME=value");
        }
    }

    private void checkRestart(String path, Object restart) {
        if (restart == null) {
            return;
        }
        if (Boolean.FALSE.equals(restart)) {
            // YAML 1.1 (and so SnakeYAML) reads a bare no as false; Compose wants the string.
            report(path, "is the boolean false: write \"no\" in quotes");
            return;
        }
        String policy = String.valueOf(restart);
        boolean onFailureWithRetries = policy.matches("on-failure:[1-9][0-9]*");
        if (!(restart instanceof String) || !(RESTART_POLICIES.contains(policy) || onFailureWithRetries)) {
            report(path, "'" + restart + "' is none of " + sorted(RESTART_POLICIES) + " or on-failure:<retries>");
        }
    }

    private void checkVolumes(String path, Object volumes) {
        if (volumes == null) {
            return;
        }
        if (!(volumes instanceof List<?> list)) {
            report(path, "must be a list");
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String entry = path + "[" + i + "]";
            Object volume = list.get(i);
            if (volume instanceof String text) {
                checkShortVolume(entry, text);
            } else if (volume instanceof Map<?, ?> longForm) {
                unknownKeys(entry, longForm, SERVICE_VOLUME_KEYS);
                Object type = longForm.get("type");
                if (type == null || !SERVICE_VOLUME_TYPES.contains(String.valueOf(type))) {
                    report(entry + ".type", "'" + type + "' is none of " + sorted(SERVICE_VOLUME_TYPES));
                }
                if (longForm.get("target") == null && !"npipe".equals(type)) {
                    report(entry + ".target", "is required");
                }
                if ("volume".equals(type) && longForm.get("source") != null) {
                    declared(entry + ".source", "volumes", longForm.get("source"));
                }
            } else {
                report(entry, "must be a \"SOURCE:TARGET[:MODE]\" string or a mapping");
            }
        }
    }

    private void checkShortVolume(String path, String text) {
        String[] parts = text.split(":", -1);
        // A Windows drive letter (C:\…) has a colon of its own; this project has none, and is not checked for it.
        if (parts.length == 1) {
            if (!parts[0].startsWith("/")) {
                report(path, "'" + text + "': an anonymous volume is an absolute container path");
            }
            return;
        }
        if (parts.length > 3 || parts[0].isEmpty() || !parts[1].startsWith("/")) {
            report(path, "'" + text + "' is not SOURCE:TARGET[:MODE] with an absolute TARGET");
            return;
        }
        if (parts.length == 3) {
            for (String mode : parts[2].split(",")) {
                if (!SERVICE_VOLUME_MODES.contains(mode)) {
                    report(path, "'" + text + "': mode '" + mode + "' is none of " + sorted(SERVICE_VOLUME_MODES));
                }
            }
        }
        String source = parts[0];
        if (NAMED_VOLUME.matcher(source).matches()) {
            declared(path, "volumes", source);
        } else if (!(source.startsWith("/") || source.startsWith(".") || source.startsWith("~")
                || source.startsWith("$"))) {
            report(path, "'" + source + "' is neither a host path (/, ./, ../, ~) nor a volume name");
        }
    }

    private void checkNetworks(String path, Object networks) {
        if (networks == null) {
            return;
        }
        if (networks instanceof List<?> names) {
            names.forEach(name -> network(path, name));
        } else if (networks instanceof Map<?, ?> map) {
            map.forEach((name, settings) -> {
                network(path, name);
                if (settings instanceof Map<?, ?> attachment) {
                    unknownKeys(path + "." + name, attachment, SERVICE_NETWORK_KEYS);
                } else if (settings != null) {
                    report(path + "." + name, "must be empty or a mapping");
                }
            });
        } else {
            report(path, "must be a list of network names or a mapping");
        }
    }

    /** Every service joins the implicit network "default" unless told otherwise; any other must be declared. */
    private void network(String path, Object name) {
        if (!"default".equals(name)) {
            declared(path, "networks", name);
        }
    }

    private void checkFileReferences(String path, Object references, String element) {
        if (references == null) {
            return;
        }
        if (!(references instanceof List<?> list)) {
            report(path, "must be a list");
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            Object reference = list.get(i);
            if (reference instanceof String name) {
                declared(path + "[" + i + "]", element, name);
            } else if (reference instanceof Map<?, ?> longForm) {
                unknownKeys(path + "[" + i + "]", longForm, SERVICE_FILE_REFERENCE_KEYS);
                declared(path + "[" + i + "].source", element, longForm.get("source"));
            } else {
                report(path + "[" + i + "]", "must be a name or a mapping with a source");
            }
        }
    }

    private void declared(String path, String element, Object name) {
        Object declarations = file.get(element);
        if (!(declarations instanceof Map<?, ?> map) || name == null || !map.containsKey(name)) {
            report(path, "'" + name + "' is not declared under the top-level " + element);
        }
    }

    private void unknownKeys(String path, Map<?, ?> map, Set<String> allowed) {
        map.keySet().forEach(key -> {
            if (!(key instanceof String name) || !(allowed.contains(name) || isExtension(name))) {
                report(path.isEmpty() ? String.valueOf(key) : path + "." + key,
                        "unknown key '" + key + "'" + (path.isEmpty() ? " at the top level" : ""));
            }
        });
    }

    private void report(String path, String message) {
        violations.add(path + ": " + message);
    }

    private Map<?, ?> services() {
        return file.get("services") instanceof Map<?, ?> services ? services : Map.of();
    }

    private static List<String> sorted(Set<String> values) {
        return values.stream().sorted().toList();
    }
}
