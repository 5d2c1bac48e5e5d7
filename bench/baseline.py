"""The baseline: the same task endpoints written the way the seed documents write them.

FastAPI, SQLAlchemy 2 async ORM with one session per request (commit at the end of the request,
rollback on error), pydantic models with ``from_attributes``, the current user loaded from the
database by a dependency, OFFSET pagination, and the seeds' pool settings (``pool_size=10,
max_overflow=20, pool_pre_ping=True, pool_recycle=3600``, ``expire_on_commit=False``). It maps the
tables our migrations create and verifies the same JWTs, so both services serve the same data to
the same clients. It is run only by ``python -m bench``, never by the service.

    DATABASE_URL=postgresql://... APP_JWT_SECRET=... uvicorn bench.baseline:app
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException, Query, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import BigInteger, Boolean, DateTime, Identity, String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def _async_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


engine = create_async_engine(
    _async_url(os.environ["DATABASE_URL"]),
    echo=False,
    pool_size=10,
    max_overflow=20,
    pool_pre_ping=True,
    pool_recycle=3600,
)
SessionLocal = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
SECRET = os.environ["APP_JWT_SECRET"]


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Task(Base):
    __tablename__ = "tasks"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default="now()")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default="now()")
    version: Mapped[int] = mapped_column(BigInteger, server_default="1")


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=1000)


class TaskUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=1000)
    completed: bool | None = None


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    description: str | None
    completed: bool
    created_at: datetime
    updated_at: datetime
    version: int


class TaskPage(BaseModel):
    items: list[TaskRead]
    next_cursor: str | None


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        try:
            yield session
            await session.commit()
        except Exception:
            await session.rollback()
            raise


bearer = HTTPBearer()
Db = Annotated[AsyncSession, Depends(get_db)]


async def get_current_user(
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)], db: Db
) -> User:
    try:
        claims = jwt.decode(credentials.credentials, SECRET, algorithms=["HS256"],
                            options={"require": ["sub", "iat", "exp"]})
    except jwt.PyJWTError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token") from None
    user = await db.get(User, int(claims["sub"]))
    if user is None or not user.is_active:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
app = FastAPI(title="baseline")


async def _owned_task(db: AsyncSession, user: User, task_id: int) -> Task:
    result = await db.execute(select(Task).where(Task.user_id == user.id, Task.id == task_id))
    task = result.scalar_one_or_none()
    if task is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "task not found")
    return task


@app.get("/tasks/{task_id}", response_model=TaskRead)
async def get_task(task_id: int, user: CurrentUser, db: Db) -> Task:
    return await _owned_task(db, user, task_id)


@app.get("/tasks", response_model=TaskPage)
async def list_tasks(user: CurrentUser, db: Db, completed: bool | None = None,
                     skip: Annotated[int, Query(ge=0)] = 0,
                     limit: Annotated[int, Query(ge=1, le=100)] = 20) -> TaskPage:
    statement = select(Task).where(Task.user_id == user.id)
    if completed is not None:
        statement = statement.where(Task.completed == completed)
    statement = statement.order_by(Task.created_at.desc(), Task.id.desc())
    tasks = (await db.execute(statement.offset(skip).limit(limit))).scalars().all()
    next_cursor = str(skip + limit) if len(tasks) == limit else None
    return TaskPage(items=[TaskRead.model_validate(t) for t in tasks], next_cursor=next_cursor)


@app.post("/tasks", response_model=TaskRead, status_code=status.HTTP_201_CREATED)
async def create_task(data: TaskCreate, user: CurrentUser, db: Db) -> Task:
    task = Task(user_id=user.id, title=data.title.strip(), description=data.description)
    db.add(task)
    await db.commit()
    await db.refresh(task)
    return task


@app.patch("/tasks/{task_id}", response_model=TaskRead)
async def update_task(task_id: int, data: TaskUpdate, user: CurrentUser, db: Db) -> Task:
    task = await _owned_task(db, user, task_id)
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(task, field, value)
    await db.commit()
    await db.refresh(task)
    return task
