"""The operator console in a real browser: headless Chromium from the machine's packages, driven
through Selenium and the machine's chromedriver (nothing is downloaded).

Run by stack/tests/e2e/console_browser.rs against a running stack, which creates the operators and
the applications and checks the outcome through the admin API afterwards. Arguments come as
environment variables (see `main`). Each step fails loudly with what it saw.
"""

import base64
import hashlib
import hmac
import http.server
import json
import os
import struct
import sys
import threading
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait


STARTED = time.monotonic()


def totp(uri, offset=0):
    """RFC 6238 with the parameters the console's URI names: SHA-1, 6 digits, 30 s."""
    secret = uri.split("secret=")[1].split("&")[0]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    step = int(time.time()) // 30 + offset
    digest = hmac.new(key, struct.pack(">q", step), hashlib.sha1).digest()
    o = digest[19] & 0x0F
    number = struct.unpack(">I", digest[o:o + 4])[0] & 0x7FFFFFFF
    return "%06d" % (number % 1_000_000)


class Console:
    def __init__(self, base, shots):
        options = webdriver.ChromeOptions()
        options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,900",
                     "--lang=zh-CN", "--disable-dev-shm-usage"):
            options.add_argument(flag)
        service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.wait = WebDriverWait(self.driver, 10)
        self.base = base
        self.shots = shots

    def find(self, css):
        return self.wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, css)))

    def text_appears(self, css, text):
        try:
            self.wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))
        except Exception:
            shown = self.driver.find_element(By.CSS_SELECTOR, css).text if self.driver.find_elements(By.CSS_SELECTOR, css) else "(none)"
            raise AssertionError(f"{text!r} never appeared in {css}: {shown!r}")

    def filter_by(self, name, value):
        """Types a list's filter and waits for the list drawn with it (the page redraws itself)."""
        old = self.find(f"#filter-{name}")
        old.clear()
        old.send_keys(value, Keys.ENTER)
        self.wait.until(ec.staleness_of(old))
        self.wait.until(lambda d: d.find_element(By.CSS_SELECTOR, f"#filter-{name}").get_attribute("value") == value)

    def shot(self, name):
        print(f"{time.monotonic() - STARTED:5.1f}s {name}", file=sys.stderr)
        if self.shots:
            self.driver.save_screenshot(os.path.join(self.shots, name))

    def login(self, username, password, code=""):
        self.driver.get(self.base + "/console")
        self.find("#username").send_keys(username)
        self.find("#password").send_keys(password)
        if code:
            self.find("#totp").send_keys(code)
        # The keyboard, as an operator would: Enter submits.
        self.find("#password").send_keys(Keys.ENTER)
        self.text_appears("#who", username)

    def logout(self):
        self.find("#logout").click()
        self.find("#login-form")

    def admin_call(self, path, body):
        """A call made from the page itself with its session and its CSRF token (read from
        /console/api/me, as the console's script reads it), as its own script makes them."""
        return self.driver.execute_async_script(
            """
            const [path, body, done] = arguments;
            fetch("/console/api/me", {credentials: "same-origin"})
              .then((r) => r.json())
              .then((me) => fetch(path, {method: "POST", credentials: "same-origin",
                         headers: {"Content-Type": "application/json", "X-CSRF-Token": me.resultSet.csrf},
                         body: JSON.stringify(body)}))
              .then(async (r) => done({status: r.status, body: await r.json()}));
            """, path, body)


def forged_page(target, apply_id):
    """Another site's page that posts a JSON-looking body to the console the moment it loads."""
    name = json.dumps({"applyId": apply_id, "decision": "reject", "remark": ""})[:-1] + ', "x": "'
    return f"""<!doctype html><meta charset="utf-8"><title>优惠活动</title>
<form id="f" action="{target}/admin/loans/review" method="post" enctype="text/plain">
<input type="hidden" name='{name}' value='"}}'></form>
<script>document.getElementById("f").submit()</script>"""


def serve_forged(page):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    # Threads: the browser keeps idle connections open, which would hold a one-thread server.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    env = os.environ
    base = env["CONSOLE_URL"]
    password = env["CONSOLE_PASSWORD"]
    reviewer, finance, admin = env["CONSOLE_REVIEWER"], env["CONSOLE_FINANCE"], env["CONSOLE_ADMIN"]
    code, forged_id = env["CONSOLE_APPLICATION_CODE"], env["CONSOLE_FORGED_APPLY_ID"]
    shots = env.get("CONSOLE_SCREENSHOTS", "")
    if shots:
        os.makedirs(shots, exist_ok=True)

    c = Console(base, shots)
    try:
        # A new reviewer sets their own password through the link mailed to them, then logs in
        # and takes the oldest application of the queue.
        c.driver.get(env["CONSOLE_REVIEWER_ENROLMENT"])
        c.text_appears("#enrol-form", reviewer)
        assert "#/enrol/" not in c.driver.current_url, "the token leaves the address bar"
        c.find("#enrol-password").send_keys(password)
        c.find("#enrol-again").send_keys(password + "x")
        c.find("#enrol-submit").click()
        c.text_appears("#enrol-error", "不一致")
        c.find("#enrol-again").send_keys(Keys.BACKSPACE)
        c.shot("enrol.png")
        c.find("#enrol-submit").click()
        c.text_appears("main", "已可登录")
        c.find("#enrol-login").click()
        c.find("#login-form")
        c.login(reviewer, password)
        c.text_appears("main h1", "审核队列")
        c.text_appears("main table", code)
        c.shot("review-queue.png")
        c.driver.find_element(By.LINK_TEXT, code).click()
        c.text_appears("main h1", code)
        c.find("#replyAmount")
        c.shot("application.png")
        c.find("#remark").send_keys("收入稳定，同意")
        c.find("#approve").click()
        c.text_appears("main dl", "已批准")

        # The same reviewer is refused the payout: no payout form, and the call itself is refused.
        assert not c.driver.find_elements(By.CSS_SELECTOR, "#payout-form"), "a reviewer sees no payout form"
        refused = c.admin_call("/admin/loans/disburse", {"applyId": env["CONSOLE_APPLY_ID"]})
        assert refused["status"] == 403 and refused["body"]["responseCode"] == "99990007", refused

        # Another site's page, opened while the reviewer is logged in, posts a rejection: refused.
        server = serve_forged(forged_page(base, forged_id))
        # localhost is another site than 127.0.0.1 to the browser.
        c.driver.get(f"http://localhost:{server.server_port}/")
        WebDriverWait(c.driver, 10).until(lambda d: d.current_url.startswith(base))
        answer = c.driver.find_element(By.TAG_NAME, "body").text
        assert "99990004" in answer or "99990008" in answer, f"forged POST answered: {answer}"
        server.shutdown()
        c.driver.get(base + "/console")
        c.text_appears("#who", reviewer)
        c.logout()

        # Finance, with the second factor, pays it out.
        c.login(finance, password, totp(env["CONSOLE_FINANCE_TOTP_URI"]))
        c.text_appears("main h1", "放款")
        c.text_appears("main table", code)
        c.shot("payouts.png")
        c.driver.find_element(By.LINK_TEXT, code).click()
        c.find("#disburse").click()
        c.text_appears("main dl", "已放款")
        c.text_appears("main", "已提交")
        c.shot("disbursed.png")
        c.find("#loan-link").click()
        c.text_appears("main h1", "借款 " + code)
        c.find("#note").send_keys("放款后回访：客户确认收到款项", Keys.ENTER)
        c.text_appears("main", "已记录")
        c.text_appears("main", "放款后回访")
        c.shot("loan.png")
        c.driver.get(base + "/console#/collections")
        c.text_appears("main h1", "催收")
        c.text_appears("main table", env["CONSOLE_OVERDUE_CODE"])
        c.shot("collections.png")
        c.driver.get(base + "/console#/books")
        c.text_appears("main", "试算平衡")
        c.text_appears("main", "（平衡）")
        c.shot("books.png")
        # A resolution of an order nobody knows is refused at once, shown where it was asked.
        c.find("#resolve-order").send_keys("RO19990101000001")
        c.find("#resolve-evidence").send_keys("渠道对账单")
        c.find("#resolve-form button[type=submit]").click()
        c.text_appears("#resolve-result", "10001000")
        c.logout()

        # An admin, with the second factor, sees both in the audit log.
        c.login(admin, password, totp(env["CONSOLE_ADMIN_TOTP_URI"]))
        c.driver.get(base + "/console#/audit")
        c.text_appears("main h1", "审计日志")
        c.filter_by("operator", reviewer)
        c.text_appears("main table", "审核借款")
        c.text_appears("main table", "0000 操作成功")
        c.text_appears("main table", "99990007 无权执行此操作")
        c.filter_by("operator", finance)
        c.text_appears("main table", "放款")
        assert reviewer not in c.find("main table").text, "filtered to the finance operator"
        c.filter_by("operator", "")
        c.text_appears("main table", finance)
        c.shot("audit-log.png")
        c.driver.get(base + "/console#/operators")
        c.text_appears("main table", reviewer)
        # A forced reset: the admin never sees the new link, which goes to the operator's address.
        c.find(f'button[aria-label="重置 {finance}"]').click()
        c.wait.until(ec.alert_is_present()).accept()
        c.text_appears("#operator-result", "设置链接已发往其邮箱")
        c.shot("operators.png")

        # A product edit with an error shows it at the field, and saves nothing.
        c.driver.get(base + "/console#/products")
        c.text_appears("main table", "新现金贷")
        c.driver.find_element(By.LINK_TEXT, "编辑 新现金贷").click()
        minimum = c.find("#product-singleMinAmount")
        minimum.clear()
        minimum.send_keys("9000.00")
        c.find("#save-product").click()
        c.wait.until(lambda d: minimum.get_attribute("aria-invalid") == "true")
        error = c.find("#error-singleMinAmount")
        assert "不符合" in error.text, error.text
        assert minimum.get_attribute("aria-describedby") == "error-singleMinAmount"
        assert c.driver.switch_to.active_element == minimum, "the field with the error has the focus"
        c.shot("product-error.png")

        # A credit-line change waits for a second admin, who confirms it on the approvals page.
        c.driver.get(base + "/console#/users")
        c.filter_by("mobile", env["CONSOLE_USER_MOBILE"])
        credit = c.find("#user-credit")
        credit.clear()
        credit.send_keys("9000.00")
        credit.send_keys(Keys.ENTER)
        c.text_appears("#user-result", "待其他操作员复核")
        c.shot("users.png")
        c.logout()
        c.login(env["CONSOLE_ADMIN2"], password, totp(env["CONSOLE_ADMIN2_TOTP_URI"]))
        c.driver.get(base + "/console#/approvals")
        c.text_appears("main table", "总额度")
        c.text_appears("main table", "→ 9000.00")
        c.shot("approvals.png")
        c.driver.find_element(By.XPATH, "//button[text()='确认执行']").click()
        c.text_appears("main", "已复核并执行")

        # System messages go out from the console.
        c.driver.get(base + "/console#/messages")
        c.find("#system-message-messageTitle").send_keys("春节放假安排")
        c.find("#system-message-messageContent").send_keys("春节期间客服时间调整为 9:00-18:00。")
        c.find("#system-message-messageContent").send_keys(Keys.ENTER)
        c.text_appears("#system-message-result", "系统消息已发布")
        c.shot("messages.png")

        # The admin API's reference page renders its document under its CSP, nothing loaded from
        # elsewhere (Redoc's footer logo on a CDN is refused, which is the point).
        c.driver.get_log("browser")
        c.driver.get(base + "/reference")
        c.find('[id="operation/payments_resolve"]')
        c.text_appears("body", "Closes a manual or mismatch order")
        problems = [entry["message"] for entry in c.driver.get_log("browser")
                    if entry["level"] == "SEVERE" and "favicon.ico" not in entry["message"]
                    and "cdn.redoc.ly" not in entry["message"]]
        assert not problems, problems
    except Exception:
        c.shot("failure.png")
        print("page at failure:", c.driver.current_url, file=sys.stderr)
        print(c.driver.find_element(By.TAG_NAME, "body").text[:2000], file=sys.stderr)
        raise
    finally:
        c.driver.quit()
    print("console flow passed")


if __name__ == "__main__":
    main()
