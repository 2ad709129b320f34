"""Run with the MLflow venv's python (not by pytest): logs eval runs with the MLflow client.

    log_runs.py <tracking url>

Reads one JSON list of steps per line on stdin and answers each with one JSON line: the run id
of each step. A step {"name": ..., "metrics": {...}, "params": {...}} creates a run; a step
{"run_id": ..., "metrics": {...}} logs new metric values on an existing run. One process serves
a whole test session, so the MLflow client is imported once.
"""

import json
import sys

from mlflow.tracking import MlflowClient

client = MlflowClient(sys.argv[1])
experiment = client.get_experiment_by_name("portal-evals")
experiment_id = experiment.experiment_id if experiment else client.create_experiment("portal-evals")
for line in sys.stdin:
    ids = []
    for step in json.loads(line):
        run_id = step.get("run_id")
        if run_id is None:
            run_id = client.create_run(experiment_id, run_name=step.get("name")).info.run_id
            for key, value in step.get("params", {}).items():
                client.log_param(run_id, key, value)
        for key, value in step.get("metrics", {}).items():
            client.log_metric(run_id, key, float(value))
        ids.append(run_id)
    print(json.dumps(ids), flush=True)
