"""A small Tornado application on Motor: post messages, list them, count them.

Run it with ``python tornado_app.py`` and open http://localhost:8888/;
Ctrl-C stops it.
"""

import asyncio

import tornado.template
import tornado.web

import motor.motor_tornado

# Tornado templates escape {{ expressions }} as HTML.
PAGE = tornado.template.Template("""<!doctype html>
<title>Messages</title>
<form method="post"><input name="text" required> <button>Post</button></form>
{% if messages %}<ul>
{% for message in messages %}<li>{{ message["text"] }}</li>
{% end %}</ul>{% else %}<p>No messages yet.</p>{% end %}
""")


class MessagesHandler(tornado.web.RequestHandler):
    async def get(self):
        db = self.settings["db"]
        cursor = db.messages.find().sort("_id", -1)  # newest first; no I/O yet
        messages = await cursor.to_list(length=50)
        self.write(PAGE.generate(messages=messages))

    async def post(self):
        db = self.settings["db"]
        await db.messages.insert_one({"text": self.get_body_argument("text")})
        self.redirect("/")


class CountHandler(tornado.web.RequestHandler):
    async def get(self):
        count = await self.settings["db"].messages.count_documents({})
        self.write({"messages": count})  # Tornado sends a dict as JSON


def make_app(db):
    return tornado.web.Application(
        [(r"/", MessagesHandler), (r"/count", CountHandler)],
        db=db,  # handlers find it in self.settings["db"]
    )


async def main():
    client = motor.motor_tornado.MotorClient("mongodb://localhost:27017")
    app = make_app(client.test_database)
    app.listen(8888)
    print("Listening on http://localhost:8888/")
    try:
        await asyncio.Event().wait()  # serve until the program is stopped
    finally:
        await client.close()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
