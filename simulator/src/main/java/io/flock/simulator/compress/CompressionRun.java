package io.flock.simulator.compress;

import io.flock.agent.link.WireTap;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.core.codec.Codecs;
import io.flock.core.compress.CompressionPipeline;
import io.flock.core.compress.LowRank;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.data.IdxFormat;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.simulator.demo.Demo;
import io.flock.simulator.demo.DemoOptions;
import io.flock.simulator.fleet.BundledData;
import io.flock.simulator.report.RunReport;
import io.flock.simulator.scenario.ScenarioConfig;
import io.flock.simulator.scenario.ScenarioRunner;
import io.flock.simulator.scenario.Simulation;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/flock compress}: trains a model federated with the demo's fleet (real agents, embedded broker), then
 * runs the {@link CompressionStudy} on the final global model and writes its report. With fine-tuning, each pruning
 * pipeline also gets a row after gradual pruning: federated runs that start from the trained model, push the pruned
 * variant at rising sparsity and keep its mask (devices train only the kept weights), as a fleet would fine-tune a
 * pruned model; each low-rank pipeline a row after fine-tuning by projection. With a {@link DistillationPlan}, a
 * teacher and a student trained with and without it add their rows.
 */
public final class CompressionRun {
    private final DemoOptions options;
    private static final String TEACHER = "fmnist-teacher";
    private final List<String> pipelines;
    private final int fineTuneRounds;
    private final DistillationPlan distill;
    private final boolean fineTuneWithTeacher;
    private final PrintStream out;
    /** The distillation teacher, trained before any fine-tuning; null without a plan. */
    private Trained teacher;

    /**
     * @param options        the training run (devices, rounds, data, seed, coordinator overrides) and the output directory
     * @param pipelines      the pipelines to compare
     * @param fineTuneRounds federated rounds of fine-tuning per pruning pipeline; 0 = none
     * @param distill        the distillation rows' teacher and student; null = none
     * @param fineTuneWithTeacher whether fine-tuning (the dense control's too) also learns from the teacher's soft targets
     * @param out            where the progress and the table go
     */
    public CompressionRun(DemoOptions options, List<String> pipelines, int fineTuneRounds, DistillationPlan distill,
                          boolean fineTuneWithTeacher, PrintStream out) {
        this.options = options;
        this.fineTuneWithTeacher = fineTuneWithTeacher && distill != null;
        this.pipelines = pipelines;
        this.fineTuneRounds = fineTuneRounds;
        this.distill = distill;
        this.out = out;
    }

    /** @return the study's rows */
    public List<CompressionStudy.Row> run() throws Exception {
        long start = System.nanoTime();
        Path data = options.dataDir() != null ? options.dataDir() : BundledData.fashionMnist();
        ByteDataset train = IdxFormat.readLabelled(data.resolve("train-images-idx3-ubyte.gz"), data.resolve("train-labels-idx1-ubyte.gz"));
        ByteDataset test = IdxFormat.readLabelled(data.resolve("t10k-images-idx3-ubyte.gz"), data.resolve("t10k-labels-idx1-ubyte.gz"));
        out.printf("flock compress: training %s federated, %d devices, %d rounds, data %s (%d train / %d test)%n",
                Demo.scenario(options, data).model(), options.devices(), options.rounds(), data, train.size(), test.size());
        Trained trained = train(options, data, train, "train");
        out.printf("trained version %d in %.1f s; compressing with %d pipelines%n", trained.version().version(),
                (System.nanoTime() - start) / 1e9, pipelines.size());
        CompressionStudy study = new CompressionStudy(ModelSpec.parse(trained.version().spec()),
                FeaturePipeline.parse(trained.version().pipeline()), test);
        study.reference(trained.parameters());
        List<CompressionStudy.Row> rows = new ArrayList<>();
        for (String p : pipelines) {
            rows.add(study.row(p, trained.parameters(), 0));
        }
        if (distill != null) {
            Map<String, String> teacherSet = new LinkedHashMap<>(options.overrides());
            teacherSet.put("model.name", TEACHER);
            teacherSet.put("model.spec", distill.teacher().toString());
            out.printf("distillation: training teacher %s federated for %d rounds%n", distill.teacher(), options.rounds());
            teacher = train(with(teacherSet), data, train, "teacher");
        }
        if (fineTuneRounds > 0) {
            Path initial = options.workDir().resolve("trained.fp32");
            Files.write(initial, Codecs.FP32.encode(trained.parameters()));
            for (String p : pipelines) {
                CompressionPipeline pipeline = CompressionPipeline.parse(p);
                if (pipeline.prunes()) {
                    rows.add(study.row(p, fineTune(pipeline, initial, data, train, rows.size()), fineTuneRounds));
                } else if (pipeline.factorises()) {
                    rows.add(study.row(p, fineTuneFactorised(pipeline, trained, data, train, rows.size()), fineTuneRounds));
                }
            }
        }
        Map<String, Object> context = new LinkedHashMap<>();
        if (distill != null) {
            context.put("distillation", distillationRows(study, data, train, rows));
        }
        CompressionReport.print(rows, out);
        context.put("what", "one federated model compressed with each pipeline; accuracy and latency of the decoded model as an agent"
                + " loads and serves it (LocalModel, batch 1, one thread, after 1,000 warm-up predictions); pruned rows as pruned,"
                + " and after gradual pruning with federated fine-tuning (3 stages on a cubic schedule, the mask kept) where"
                + " fineTuneRounds > 0; low-rank rows as factorised, and after fine-tuning by projection (3 stages, each from the"
                + " factorised model multiplied back to dense)");
        context.put("model", trained.version().spec());
        context.put("trainedVersion", trained.version().version());
        context.put("devices", options.devices());
        context.put("rounds", options.rounds());
        context.put("fineTuneRounds", fineTuneRounds);
        context.put("fineTuneWithTeacher", fineTuneWithTeacher);
        context.put("seed", options.seed());
        context.put("data", data.toString());
        context.put("testImages", test.size());
        Path dir = Files.createDirectories(options.outDir());
        CompressionReport.write(rows, context, dir, "Flock compression: " + trained.version().spec() + ", " + test.size() + " test images");
        out.printf("compression.json and compression.png in %s (%.0f s in all)%n", dir.toAbsolutePath(), (System.nanoTime() - start) / 1e9);
        return rows;
    }

    private record Trained(ModelVersion version, ModelParameters parameters) {
    }

    /**
     * Gradual pruning with federated fine-tuning: up to three stages on the cubic schedule of Zhu and Gupta (2017),
     * sparsity S (1 - (1 - k/n)^3) at stage k of n, each a federated run that starts from the previous stage's
     * model, pushes the pruned variant and keeps its mask; the rounds are split between the stages.
     */
    private ModelParameters fineTune(CompressionPipeline pipeline, Path trained, Path data, ByteDataset train, int id) throws Exception {
        int stages = Math.min(3, fineTuneRounds);
        Path start = trained;
        ModelParameters tuned = null;
        for (int k = 1; k <= stages; k++) {
            double sparsity = sparsityAt(pipeline.sparsity(), k, stages);
            CompressionPipeline stage = pipeline.withSparsity(sparsity);
            int rounds = fineTuneRounds / stages + (k <= fineTuneRounds % stages ? 1 : 0);
            Map<String, String> set = stage("tune-" + id + "-" + k);
            set.put("push.codec", stage.name());
            set.put("model.initial", start.toString());
            DemoOptions tune = with(set, rounds);
            out.printf("fine-tuning %s: stage %d of %d at %s for %d rounds with its mask%n", pipeline.name(), k, stages, stage.name(),
                    rounds);
            tuned = train(tune, data, train, "tune-" + id + "-" + k).parameters();
            start = options.workDir().resolve("tune-" + id + "-" + k + ".fp32");
            Files.write(start, Codecs.FP32.encode(tuned));
        }
        return tuned;
    }

    /**
     * Fine-tuning after factorisation by projection: up to three stages, each a federated run that starts from the
     * model factorised and multiplied back to dense ({@link LowRank#expand}); devices train the dense network, the
     * next stage projects it to the ranks again, and the row factorises the last stage's model once more.
     */
    private ModelParameters fineTuneFactorised(CompressionPipeline pipeline, Trained trained, Path data, ByteDataset train, int id)
            throws Exception {
        ModelSpec spec = ModelSpec.parse(trained.version().spec());
        int stages = Math.min(3, fineTuneRounds);
        ModelParameters tuned = trained.parameters();
        for (int k = 1; k <= stages; k++) {
            Path start = options.workDir().resolve("lowrank-" + id + "-" + k + ".fp32");
            Files.write(start, Codecs.FP32.encode(LowRank.expand(pipeline.transform(spec, tuned))));
            int rounds = fineTuneRounds / stages + (k <= fineTuneRounds % stages ? 1 : 0);
            Map<String, String> set = stage("lowrank-" + id + "-" + k);
            set.put("model.initial", start.toString());
            out.printf("fine-tuning %s: stage %d of %d, %d rounds from the factorised model multiplied back to dense%n", pipeline.name(),
                    k, stages, rounds);
            tuned = train(with(set, rounds), data, train, "lowrank-" + id + "-" + k).parameters();
        }
        return tuned;
    }

    /** @return the cubic schedule's sparsity at stage {@code k} of {@code n}, rounded to 4 decimals; the last is the target */
    static double sparsityAt(double target, int k, int n) {
        double s = target * (1 - Math.pow(1 - (double) k / n, 3));
        return k == n ? target : Math.round(s * 1e4) / 1e4;
    }

    /**
     * Trains the student without and with the teacher (same rounds, data and seed), adds their rows and the
     * teacher's, and returns the comparison for the report.
     */
    private Map<String, Object> distillationRows(CompressionStudy study, Path data, ByteDataset train, List<CompressionStudy.Row> rows)
            throws Exception {
        Map<String, String> studentSet = new LinkedHashMap<>(options.overrides());
        studentSet.put("model.name", "fmnist-student");
        studentSet.put("model.spec", distill.student().toString());
        out.printf("distillation: training student %s without a teacher%n", distill.student());
        Trained plain = train(with(studentSet), data, train, "student");
        studentSet.putAll(taught("fmnist-student"));
        out.printf("distillation: training student %s from the teacher's soft targets (T=%s, alpha=%s, computed on each device)%n",
                distill.student(), distill.distillation().temperature(), distill.distillation().alpha());
        Trained taught = train(with(studentSet), data, train, "student-distilled");
        CompressionStudy.Row t = study.other("teacher (cnn)", distill.teacher(), teacher.parameters(), "fp32");
        CompressionStudy.Row p = study.other("student+int8", distill.student(), plain.parameters(), "int8");
        CompressionStudy.Row d = study.other("distilled+int8", distill.student(), taught.parameters(), "int8");
        rows.addAll(List.of(t, p, d));
        out.printf("distillation: the distilled student scores %.4f, %+.2f points against the same student without a teacher (%.4f);"
                + " teacher %.4f%n", d.accuracy(), 100 * (d.accuracy() - p.accuracy()), p.accuracy(), t.accuracy());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("teacher", distill.teacher().toString());
        m.put("student", distill.student().toString());
        m.put("temperature", distill.distillation().temperature());
        m.put("alpha", distill.distillation().alpha());
        m.put("rounds", options.rounds());
        m.put("teacherAccuracy", t.accuracy());
        m.put("studentAccuracy", p.accuracy());
        m.put("distilledAccuracy", d.accuracy());
        m.put("gainPoints", 100 * (d.accuracy() - p.accuracy()));
        return m;
    }

    /** @return the keys that make a run learn from the teacher: its registry's database, the distill.* keys, a model name of its own */
    private Map<String, String> taught(String model) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model.name", model);
        m.put("data-dir", options.workDir().resolve("teacher").resolve("coordinator").toString()); // the teacher's registry
        m.put("distill.teacher", TEACHER);
        m.put("distill.temperature", String.valueOf(distill.distillation().temperature()));
        m.put("distill.alpha", String.valueOf(distill.distillation().alpha()));
        return m;
    }

    /** @return the overrides of one fine-tuning stage: the run's, and the teacher's keys when fine-tuning learns from it */
    private Map<String, String> stage(String name) {
        Map<String, String> set = new LinkedHashMap<>(options.overrides());
        if (fineTuneWithTeacher) {
            set.putAll(taught("fmnist-" + name)); // a model per stage: model.initial applies to a model's first version
        }
        return set;
    }

    private DemoOptions with(Map<String, String> set) {
        return with(set, options.rounds());
    }

    /** @return this run's options with other coordinator overrides and round count */
    private DemoOptions with(Map<String, String> set, int rounds) {
        return new DemoOptions(options.devices(), rounds, 0, options.dataDir(), options.workDir(), options.outDir(), options.seed(), set);
    }

    /** One federated run of the demo's fleet; returns its final global model. */
    private Trained train(DemoOptions run, Path data, ByteDataset train, String name) throws Exception {
        ScenarioConfig scenario = Demo.scenario(run, data);
        try (ScenarioRunner runner = new ScenarioRunner(scenario, Files.createDirectories(run.workDir().resolve(name)), out, WireTap.NONE,
                false, run.overrides())) {
            CoordinatorServer coordinator = runner.start(Simulation.partitions(scenario, train), data);
            runner.runRounds(new RunReport("compress", Map.of()));
            ModelVersion version = coordinator.registry().requireCurrent(coordinator.config().model().name());
            return new Trained(version, coordinator.registry().globalParameters(version));
        }
    }
}
