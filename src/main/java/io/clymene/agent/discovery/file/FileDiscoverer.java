package io.clymene.agent.discovery.file;

import io.clymene.agent.config.TargetGroup;
import io.clymene.agent.discovery.Discoverer;
import io.clymene.agent.discovery.DiscoveryContext;
import io.clymene.agent.discovery.GroupFormat;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads the files of a {@link FileSdConfig} on a worker thread when their directory changes and every
 * refresh interval. Each file's groups have sources {@code <file>:<index>} and the label
 * {@code __meta_filepath}. A file that cannot be read or parsed keeps its last good groups and is reported;
 * the groups of a file that went away (or of entries a file no longer has) are removed.
 */
final class FileDiscoverer implements Discoverer {
  /** Change events come in bursts (truncate, write, close): read once they settle. */
  private static final long SETTLE_MILLIS = 50;

  private final FileSdConfig config;
  private final DiscoveryContext context;
  private final Map<Path, AutoCloseable> watches = new HashMap<>();
  private Map<String, Integer> lastRefresh = new HashMap<>();
  private Consumer<List<TargetGroup>> sink;
  private long periodic = -1;
  private long pending = -1;
  private boolean running;
  private boolean again;
  private boolean stopped;

  FileDiscoverer(FileSdConfig config, DiscoveryContext context) {
    this.config = config;
    this.context = context;
  }

  @Override
  public synchronized void start(Consumer<List<TargetGroup>> sink) {
    this.sink = sink;
    periodic = context.vertx().setPeriodic(config.refreshInterval().toMillis(), id -> refresh());
    refresh();
  }

  /** Schedules a scan soon; called from the watcher thread. */
  private synchronized void changed() {
    if (stopped || pending >= 0) {
      return;
    }
    pending = context.vertx().setTimer(SETTLE_MILLIS, id -> {
      synchronized (this) {
        pending = -1;
      }
      refresh();
    });
  }

  private synchronized void refresh() {
    if (stopped) {
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = true;
    context.vertx().executeBlocking(this::scan, false).onComplete(ar -> {
      boolean rerun;
      synchronized (this) {
        running = false;
        rerun = again && !stopped;
        again = false;
        if (ar.succeeded() && !stopped) {
          sink.accept(ar.result());
        }
      }
      if (ar.failed()) {
        context.failed("file discovery failed: " + ar.cause());
      }
      if (rerun) {
        refresh();
      }
    });
  }

  /** Reads every file; runs on a worker, one scan at a time. */
  private List<TargetGroup> scan() {
    List<TargetGroup> update = new ArrayList<>();
    Map<String, Integer> ref = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    for (String file : listFiles()) {
      try {
        List<TargetGroup> groups = read(file);
        update.addAll(groups);
        ref.put(file, groups.size());
      } catch (IOException | RuntimeException e) {
        errors.add("cannot read " + file + ": " + message(e));
        ref.put(file, lastRefresh.getOrDefault(file, 0));
      }
    }
    lastRefresh.forEach((file, n) -> {
      int m = ref.getOrDefault(file, 0);
      for (int i = m; i < n; i++) {
        update.add(TargetGroup.removed(source(file, i)));
      }
    });
    lastRefresh = ref;
    watchDirectories();
    if (errors.isEmpty()) {
      context.recovered();
    } else {
      errors.forEach(context::failed);
    }
    return update;
  }

  private static String message(Exception e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** The files the patterns match now, each pattern's matches sorted as Go's filepath.Glob sorts them. */
  private List<String> listFiles() {
    List<String> files = new ArrayList<>();
    for (String pattern : config.files()) {
      Path p = Path.of(pattern);
      String last = p.getFileName().toString();
      if (!last.contains("*")) {
        if (Files.isRegularFile(p)) {
          files.add(pattern);
        }
        continue;
      }
      Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
      TreeSet<String> matches = new TreeSet<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, last)) {
        for (Path f : ds) {
          if (Files.isRegularFile(f)) {
            matches.add(p.getParent() == null ? f.getFileName().toString() : f.toString());
          }
        }
      } catch (IOException e) {
        // a directory that does not exist matches nothing, as in Go
      }
      files.addAll(matches);
    }
    return files;
  }

  private synchronized void watchDirectories() {
    DirectoryWatcher watcher;
    try {
      watcher = DirectoryWatcher.get();
    } catch (IOException e) {
      context.failed("cannot watch files for changes (reading every " + config.refreshInterval() + " only): " + e);
      return;
    }
    for (String pattern : config.files()) {
      Path dir = Path.of(pattern).toAbsolutePath().getParent();
      if (watches.containsKey(dir) && watcher.watching(dir)) {
        continue;
      }
      try {
        AutoCloseable old = watches.remove(dir);
        if (old != null) {
          old.close();
        }
        watches.put(dir, watcher.watch(dir, this::changed));
      } catch (Exception e) {
        // the directory may appear later; the periodic refresh tries again
      }
    }
  }

  /** One file's groups; throws with the reason when the file is not a valid list of groups. */
  static List<TargetGroup> read(String file) throws IOException {
    String text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
    String ext = file.substring(file.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    List<?> items;
    if (ext.equals("json")) {
      try {
        items = new JsonArray(text).getList();
      } catch (DecodeException | ClassCastException e) {
        throw new IllegalArgumentException("not a JSON list of target groups: " + firstLine(e.getMessage()));
      }
    } else {
      Object doc;
      try {
        doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("not valid YAML: " + firstLine(e.getMessage()));
      }
      if (doc == null) {
        items = List.of();
      } else if (doc instanceof List<?> l) {
        items = l;
      } else {
        throw new IllegalArgumentException("expected a YAML list of target groups");
      }
    }
    return GroupFormat.groups(items, file, "__meta_filepath", ext.equals("json"));
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  static String source(String file, int index) {
    return GroupFormat.source(file, index);
  }

  @Override
  public synchronized Future<Void> stop() {
    stopped = true;
    context.vertx().cancelTimer(periodic);
    if (pending >= 0) {
      context.vertx().cancelTimer(pending);
    }
    watches.values().forEach(w -> {
      try {
        w.close();
      } catch (Exception e) {
        // nothing to release then
      }
    });
    watches.clear();
    return Future.succeededFuture();
  }
}
