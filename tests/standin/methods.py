"""What each Bot API method does to the simulated Telegram state."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Awaitable, Callable
from pathlib import PurePosixPath
from typing import Any

from .formatting import render
from .model import ApiError, Upload
from .world import ChatState, StoredFile, StoredMessage, World

Params = dict[str, Any]
Handler = Callable[[Params], Awaitable[Any]]

MAX_DELETE_AGE = 48 * 3600
CALLBACK_ANSWER_WINDOW = 15.0
PROFILE_FIELDS = {
    "description": ("setMyDescription", "getMyDescription"),
    "short_description": ("setMyShortDescription", "getMyShortDescription"),
    "name": ("setMyName", "getMyName"),
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


class BotApi:
    """Handlers keyed by canonical method name; each takes decoded params."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.profile: dict[tuple[str, str], str] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.webhook: dict[str, Any] = {}  # what setWebhook was given (nothing is pushed)
        self.handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setChatMenuButton": self.set_chat_menu_button,
            "getChatMenuButton": self.get_chat_menu_button,
            "sendMessage": self.send_message,
            "sendDocument": self.send_document,
            "sendPhoto": self.send_photo,
            "sendChatAction": self.send_chat_action,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "deleteMessages": self.delete_messages,
            "answerCallbackQuery": self.answer_callback_query,
            "getFile": self.get_file,
            "leaveChat": self.leave_chat,
        }
        for name, (setter, getter) in PROFILE_FIELDS.items():
            self.handlers[setter] = self._profile_setter(name)
            self.handlers[getter] = self._profile_getter(name)

    @property
    def sender(self) -> dict[str, Any]:
        user = self.world.bot_user
        return {k: user[k] for k in ("id", "is_bot", "first_name", "username")}

    async def get_me(self, p: Params) -> Any:
        return {
            **self.world.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def get_updates(self, p: Params) -> Any:
        queue = self.world.updates
        if "allowed_updates" in p:
            queue.set_allowed(p["allowed_updates"])
        queue.confirm(p.get("offset", 0))
        timeout = max(p.get("timeout", 0), 0)
        if timeout:
            await self.world.wait_for(lambda: len(queue) > 0, timeout)
        return queue.peek(min(max(p.get("limit", 100), 1), 100))

    async def set_webhook(self, p: Params) -> Any:
        self.webhook = dict(p)
        return True

    async def delete_webhook(self, p: Params) -> Any:
        self.webhook = {}
        if p.get("drop_pending_updates"):
            self.world.updates.clear()
        return True

    async def get_webhook_info(self, p: Params) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.updates),
        }
        for name in ("max_connections", "allowed_updates"):
            if name in self.webhook:
                info[name] = self.webhook[name]
        return info

    def _commands_key(self, p: Params) -> tuple[str, str]:
        scope = p.get("scope", {"type": "default"})
        return json.dumps(scope, sort_keys=True), p.get("language_code", "")

    async def set_my_commands(self, p: Params) -> Any:
        self.commands[self._commands_key(p)] = p["commands"]
        return True

    async def get_my_commands(self, p: Params) -> Any:
        return self.commands.get(self._commands_key(p), [])

    async def delete_my_commands(self, p: Params) -> Any:
        self.commands.pop(self._commands_key(p), None)
        return True

    def _profile_setter(self, name: str) -> Handler:
        async def handler(p: Params) -> Any:
            self.profile[name, p.get("language_code", "")] = p.get(name, "")
            return True

        return handler

    def _profile_getter(self, name: str) -> Handler:
        async def handler(p: Params) -> Any:
            default = self.world.bot_user["first_name"] if name == "name" else ""
            return {name: self.profile.get((name, p.get("language_code", "")), default)}

        return handler

    async def set_chat_menu_button(self, p: Params) -> Any:
        self.menu_buttons[p.get("chat_id")] = p.get("menu_button", {"type": "default"})
        return True

    async def get_chat_menu_button(self, p: Params) -> Any:
        return self.menu_buttons.get(p.get("chat_id"), {"type": "commands"})

    def _chat(self, chat_id: int | str) -> ChatState:
        chat = self.world.find_chat(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if chat.forbidden and chat.is_private:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.forbidden:
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.data['type']} chat")
        return chat

    async def leave_chat(self, p: Params) -> Any:
        """The bot leaves a group: from then on it cannot post there (as if kicked)."""
        chat = self._chat(p["chat_id"])
        if chat.is_private:
            raise bad_request("chat member status can't be changed in private chats")
        chat.forbidden = True
        chat.left = True
        return True

    async def send_message(self, p: Params) -> Any:
        chat = self._chat(p["chat_id"])
        content = _formatted("text", "entities", p["text"], p)
        return self._send(chat, p, content)

    async def send_document(self, p: Params) -> Any:
        chat = self._chat(p["chat_id"])
        stored = self._input_file(p["document"], "documents")
        document = {"file_name": stored.file_name, "mime_type": stored.mime_type}
        content = {"document": {**_present(document), **stored.describe()}}
        return self._send(chat, p, content | self._caption(p))

    async def send_photo(self, p: Params) -> Any:
        chat = self._chat(p["chat_id"])
        value = p["photo"]
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            sizes = self.world.files.add_photo(value.data)
        else:
            largest = self._input_file(value, "photos")
            sizes = [{**largest.describe(), "width": 800, "height": 600}]
        return self._send(chat, p, {"photo": sizes} | self._caption(p))

    async def send_chat_action(self, p: Params) -> Any:
        self._chat(p["chat_id"])
        return True

    def _caption(self, p: Params) -> dict[str, Any]:
        if "caption" not in p:
            return {}
        return _formatted("caption", "caption_entities", p["caption"], p)

    def _input_file(self, value: Upload | str, folder: str) -> StoredFile:
        if isinstance(value, str):
            stored = self.world.files.get(value)
            if stored is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
            return stored
        if not value.data:
            raise bad_request("file must be non-empty")
        name = value.filename or "file"
        mime = value.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        extension = PurePosixPath(name).suffix.lstrip(".") or "bin"
        return self.world.files.add(value.data, folder, extension, file_name=name, mime_type=mime)

    def _send(self, chat: ChatState, p: Params, content: dict[str, Any]) -> Any:
        reply_to = self._reply_target(chat, p.get("reply_parameters"))
        markup = _inline_markup(p.get("reply_markup"))
        if markup:
            content["reply_markup"] = markup
        if p.get("protect_content"):
            content["has_protected_content"] = True
        message = self.world.post(chat, self.sender, content, from_bot=True, reply_to=reply_to)
        return message.data

    def _reply_target(self, chat: ChatState, reply: dict[str, Any] | None) -> StoredMessage | None:
        if reply is None:
            return None
        if reply.get("chat_id", chat.id) != chat.id:
            raise bad_request("replies to other chats are not supported by the stand-in")
        target = chat.live.get(reply["message_id"])
        if target is None and not reply.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")
        return target

    async def edit_message_text(self, p: Params) -> Any:
        chat, message = self._editable(p)
        if "text" not in message.data:
            raise bad_request("there is no text in the message to edit")
        if "text" not in p:
            raise bad_request("message text is empty")
        content = _formatted("text", "entities", p["text"], p)
        return self._edit(chat, message, ("text", "entities"), content, p)

    async def edit_message_caption(self, p: Params) -> Any:
        chat, message = self._editable(p)
        if "text" in message.data:
            raise bad_request("there is no caption in the message to edit")
        content = self._caption(p)
        return self._edit(chat, message, ("caption", "caption_entities"), content, p)

    async def edit_message_reply_markup(self, p: Params) -> Any:
        chat, message = self._editable(p)
        return self._edit(chat, message, (), {}, p)

    def _editable(self, p: Params) -> tuple[ChatState, StoredMessage]:
        if "inline_message_id" in p:
            raise bad_request("inline messages are not supported by the stand-in")
        if "chat_id" not in p or "message_id" not in p:
            raise bad_request("message identifier is not specified")
        chat = self._chat(p["chat_id"])
        message = chat.live.get(p["message_id"])
        if message is None:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return chat, message

    def _edit(
        self,
        chat: ChatState,
        message: StoredMessage,
        keys: tuple[str, ...],
        content: dict[str, Any],
        p: Params,
    ) -> Any:
        keys = (*keys, "reply_markup")
        markup = _inline_markup(p.get("reply_markup"))
        if markup:
            content["reply_markup"] = markup
        if content == {k: message.data[k] for k in keys if k in message.data}:
            raise ApiError(400, NOT_MODIFIED)
        self.world.edit(chat, message, keys, content)
        return message.data

    async def delete_message(self, p: Params) -> Any:
        chat = self._chat(p["chat_id"])
        message = chat.live.get(p["message_id"])
        if message is None:
            raise bad_request("message to delete not found")
        problem = self._deletion_problem(chat, message)
        if problem:
            raise bad_request(problem)
        self.world.delete(chat, message)
        return True

    async def delete_messages(self, p: Params) -> Any:
        chat = self._chat(p["chat_id"])
        for message_id in p["message_ids"]:
            message = chat.live.get(message_id)
            if message is not None and not self._deletion_problem(chat, message):
                self.world.delete(chat, message)
        return True

    def _deletion_problem(self, chat: ChatState, message: StoredMessage) -> str | None:
        if self.world.now() - message.sent_at > MAX_DELETE_AGE:
            return "message can't be deleted for everyone"
        if not (message.from_bot or chat.is_private or chat.bot_is_admin):
            return "message can't be deleted"
        return None

    async def answer_callback_query(self, p: Params) -> Any:
        query = self.world.callback_queries.get(p["callback_query_id"])
        if (
            query is None
            or query.answered
            or self.world.now() - query.created_at > CALLBACK_ANSWER_WINDOW
        ):
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        query.answered = True
        query.answer = p.get("text")
        self.world.notify()
        return True

    async def get_file(self, p: Params) -> Any:
        stored = self.world.files.get(p["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        return {**stored.describe(), "file_path": stored.file_path}


def _formatted(text_key: str, entities_key: str, source: str, p: Params) -> dict[str, Any]:
    if entities_key in p:
        text, entities = source, p[entities_key]
    else:
        text, entities = render(source, p.get("parse_mode"))
    return _present({text_key: text, entities_key: entities})


def _inline_markup(markup: Any) -> dict[str, Any] | None:
    if isinstance(markup, dict) and markup.get("inline_keyboard"):
        return markup
    return None


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "", [])}
