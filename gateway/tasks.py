from __future__ import annotations

from celery import shared_task

from gateway import services


@shared_task(time_limit=120, soft_time_limit=100, ignore_result=True)
def sync_moves_task() -> int:
    """After an alias move, and on beat: create missing gateway moves, apply the pending ones."""
    to_apply = services.moves_sync()
    for move_id in to_apply:
        services.enqueue_apply(move_id)
    return len(to_apply)


@shared_task(time_limit=60, soft_time_limit=45, acks_late=True, ignore_result=True)
def apply_move_task(move_id: int) -> str:
    """Apply one pending move through its connector and confirm or fail it."""
    move = services.move_apply(move_id)
    return str(move.status) if move is not None else "skipped"


@shared_task(time_limit=300, soft_time_limit=240, ignore_result=True)
def drift_check_task() -> int:
    """Beat: compare every gateway's routing with the portal's aliases."""
    return services.drift_check()
