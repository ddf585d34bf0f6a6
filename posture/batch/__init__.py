"""``posture batch``: photos and videos into one resumable CSV, on this machine or a Dask
cluster. Modules: sources (what to check), units (work units), worker (what a worker runs),
video_parts (long videos in time ranges), rows and csv_store (the output), local_pool and
dask_runner (the engines), runner (the command)."""

from posture.batch.runner import run_batch

__all__ = ["run_batch"]
