"""A whole app journey against a running stack, every request and response checked against the
OpenAPI documents the stack serves (/openapi.json on the public port for the app API, on the admin
port for the admin API), so the description cannot drift from the server.

The client is written here from API.md: signing (§3), the DES password transport (§4), the
envelope (§2). Environment: API_URL, ADMIN_URL, ADMIN_TOKEN, SMS_SPOOL_DIR (the log provider's phones), APP_KEY
(default 12345678).
Exits non-zero, naming every exchange that does not match, when anything does not.
"""

import base64
import datetime
import hashlib
import json
import os
import random
import re
import sys
import urllib.request

from Crypto.Cipher import DES
from Crypto.Util.Padding import pad
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

API = os.environ["API_URL"].rstrip("/")
ADMIN = os.environ["ADMIN_URL"].rstrip("/")
ADMIN_TOKEN = os.environ["ADMIN_TOKEN"]
APP_KEY = os.environ.get("APP_KEY", "12345678")

failures = []
checked = {"app": 0, "admin": 0}


def fetch(url, headers=None):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as reply:
        return json.loads(reply.read())


class Document:
    """One OpenAPI document: finds an operation's schemas and validates against them."""

    def __init__(self, name, doc):
        self.name = name
        self.doc = doc
        resource = Resource.from_contents(doc, default_specification=DRAFT202012)
        self.registry = Registry().with_resource("urn:" + name, resource)

    def validator(self, pointer):
        return Draft202012Validator({"$ref": "urn:" + self.name + "#" + pointer}, registry=self.registry)

    def check(self, path, body, status, reply, valid=True):
        """`valid`: the request is meant to match its schema (False for ones wrong on purpose)."""
        checked[self.name] += 1
        escaped = path.replace("~", "~0").replace("/", "~1")
        operation = self.doc["paths"].get(path, {}).get("post")
        if operation is None:
            failures.append(f"{self.name} {path}: not in the document")
            return
        request = f"/paths/{escaped}/post/requestBody/content/application~1json/schema"
        errors = list(self.validator(request).iter_errors(body))
        if valid:
            for error in errors:
                failures.append(f"{self.name} {path} request: {error.message} at {list(error.absolute_path)}")
        elif not errors:
            failures.append(f"{self.name} {path}: a request wrong on purpose matches the document")
        if str(status) not in operation["responses"]:
            failures.append(f"{self.name} {path}: HTTP {status} not described")
            return
        response = f"/paths/{escaped}/post/responses/{status}/content/application~1json/schema"
        for error in self.validator(response).iter_errors(reply):
            failures.append(
                f"{self.name} {path} response {reply.get('responseCode')}: {error.message} at {list(error.absolute_path)}"
            )


def canonical(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def sign(body):
    unsigned = {k: v for k, v in body.items() if k != "sign"}
    text = APP_KEY + unsigned["timestamp"] + unsigned["nonce"] + canonical(unsigned)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def encrypt(password):
    cipher = DES.new(APP_KEY[:8].encode(), DES.MODE_CBC, bytes(range(1, 9)))
    return base64.b64encode(cipher.encrypt(pad(password.encode(), 8))).decode()


def post(url, body, headers):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"{}")


class App:
    """The app's side: signs every call, keeps the session."""

    def __init__(self, doc):
        self.doc = doc
        self.session = None

    def call(self, path, fields=None, expect=None, valid=True):
        body = dict(fields or {})
        body["timestamp"] = str(int(datetime.datetime.now().timestamp() * 1000))
        body["nonce"] = f"{random.randrange(10**8):08d}"
        body["sign"] = sign(body)
        headers = {"Authorization": "Bearer " + self.session} if self.session else {}
        status, reply = post(API + path, body, headers)
        self.doc.check(path, body, status, reply, valid)
        if expect is not None and reply.get("responseCode") != expect:
            failures.append(f"app {path}: expected {expect}, got {reply.get('responseCode')} {reply.get('responseMessage')}")
        return reply


class Operator:
    """The automation's side of the admin API: the bearer token."""

    def __init__(self, doc):
        self.doc = doc

    def call(self, path, body, expect="0000"):
        status, reply = post(ADMIN + path, body, {"Authorization": "Bearer " + ADMIN_TOKEN})
        self.doc.check(path, body, status, reply)
        if expect is not None and reply.get("responseCode") != expect:
            failures.append(f"admin {path}: expected {expect}, got {reply.get('responseCode')} {reply.get('responseMessage')}")
        return reply


def mobile():
    return f"13{random.randrange(5, 10)}{random.randrange(10**8):08d}"


def id_card():
    """GB 11643: region, birth date (30–49 years ago), sequence, ISO 7064 MOD 11-2 check."""
    year = datetime.date.today().year - random.randrange(31, 50)
    first = f"110105{year}{random.randrange(1, 13):02d}{random.randrange(1, 29):02d}{random.randrange(1000):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(first, weights))
    return first + "10X98765432"[total % 11]


def luhn_card(prefix="6217", length=16):
    while True:
        digits = prefix + "".join(str(random.randrange(10)) for _ in range(length - len(prefix) - 1))
        for check in "0123456789":
            candidate = digits + check
            total = 0
            for i, d in enumerate(reversed(candidate)):
                n = int(d) * (2 if i % 2 else 1)
                total += n - 9 if n > 9 else n
            if total % 10 == 0:
                return candidate


def sms_code(operator, number):
    """The code off the phone of `number` (the log provider's spool); operators see it masked."""
    operator.call("/admin/sms/outbox", {"mobile": number, "limit": 1})
    with open(os.path.join(os.environ["SMS_SPOOL_DIR"], number + ".txt"), encoding="utf-8") as phone:
        content = phone.read().splitlines()[-1].split("\t", 1)[1]
    return next(run for run in re.findall(r"\d+", content) if len(run) == 6)


def journey(app, operator):
    number, password = mobile(), "Journey-2026"
    # Errors are described too: a bad signature, a wrong captcha, no session.
    bad = {"timestamp": str(int(datetime.datetime.now().timestamp() * 1000)), "nonce": "12345678", "sign": "0" * 40}
    status, reply = post(API + "/openApi/getCode", bad, {})
    app.doc.check("/openApi/getCode", bad, status, reply)
    app.call("/openApi/getSmsCode", {"mobile": number, "code": "zzzz"}, expect="10002001")
    app.call("/appCommonApi/getUserCenterInfo", {}, expect="99990004")

    captcha = app.call("/openApi/getCode", expect="0000")["resultSet"]
    app.call("/openApi/getSmsCode", {"mobile": number, "code": captcha}, expect="20001000")
    app.call("/openApi/checkSmsCode", {"mobile": number, "smscode": "000000"}, expect=None)
    app.call("/openApi/checkSmsCode", {"mobile": number, "smscode": sms_code(operator, number)}, expect="20002006")
    app.call("/openApi/userRegister", {"mobile": number, "password": encrypt(password), "confirmPassword": encrypt(password)}, expect="20003000")
    app.call("/security/login", {"username": number, "password": encrypt("wrong-one"), "appType": "1", "token": ""}, expect="90002000")
    token = app.call("/security/login", {"username": number, "password": encrypt(password), "appType": "1", "token": ""}, expect="90000000")["resultSet"]
    app.session = token

    app.call("/appCommonApi/authRealNameInfo", {"realName": "王小明", "idCardNo": id_card()}, expect="20007030")
    for consent in app.call("/appCommonApi/getConsents", expect="0000")["resultSet"]:
        app.call("/appCommonApi/acceptConsent", {"consentType": consent["consentType"], "version": consent["version"]}, expect="0000")
    app.call("/appCommonApi/authRealNameInfo", {"realName": "王小明", "idCardNo": "110105"}, expect="20007002", valid=False)
    app.call("/appCommonApi/authRealNameInfo", {"realName": "王小明", "idCardNo": id_card()}, expect="0000")
    app.call("/appCommonApi/authUserMobile", expect="0000")
    app.call("/appCommonApi/authUserBankCard", {"bankCardNo": luhn_card(), "mobile": mobile()}, expect="0000")
    profile = {
        "education": "3", "martialStatus": "1", "registry_province": "110000", "registry_city": "110100",
        "registry_detail": "朝阳区某街道", "house_address_province": "110000", "house_address_city": "110100",
        "house_address_county": "110105", "house_address_detail": "某小区1号楼", "residenceLength": "03",
        "industryType": "5", "work_address_province": "110000", "work_address_city": "110100",
        "work_address_county": "110105", "work_address_detail": "某大厦", "workingHours": "02",
        "currentWorkInfo": "某公司", "currentPosition": "职员", "monthIncome": "8000", "payrollDay": "10",
    }
    app.call("/appCommonApi/savePerfectUserInfo", dict(profile, education="9"), expect="20007020")
    app.call("/appCommonApi/savePerfectUserInfo", profile, expect="0000")
    contact = app.call("/appCommonApi/saveOrUpdateRelShip", {"operType": "add", "relType": "1", "realName": "王大明", "phoneNum": mobile()}, expect="0000")
    app.call("/appCommonApi/saveOrUpdateRelShip", {"operType": "update", "id": contact["resultSet"], "relType": "1", "realName": "王大明", "phoneNum": mobile()}, expect="0000")
    app.call("/appCommonApi/getAuthenticationStatus", expect="0000")
    app.call("/appCommonApi/getPerfectUserInfo", expect="0000")

    products = app.call("/openCommonApi/getLoanProductList", expect="0000")["resultSet"]
    product = next(p for p in products if p["name"] == "新现金贷")
    app.call("/openCommonApi/getLoanProductDetails", {"productId": product["id"]}, expect="0000")
    app.call("/openCommonApi/getLoanProductDetails", {"productId": "no-such-product"}, expect="10001000")
    terms = {"productId": product["id"], "amount": "500.00", "termCount": "14", "termUnit": "1",
             "repayTermCount": "14", "repayTermUnit": "1", "repayType": "1", "interestRate": "0.3600"}
    app.call("/appCommonApi/getLoanApplyConfirmInfo", dict(terms, amount="50000.00"), expect="20004001")
    app.call("/appCommonApi/getLoanApplyConfirmInfo", terms, expect="0000")
    application = dict(terms, longitude="116.40", latitude="39.90", orderId="J1", purpose="21", otherChannels="01",
                       phonebookList=[{"contactName": "王大明", "contactPhone": mobile()}], remark="")
    app.call("/appCommonApi/loanProductApply", application, expect="20005000")
    app.call("/appCommonApi/loanProductApply", application, expect="20005003")
    apply_id = app.call("/appCommonApi/getLoanApplyInfoList", {"pageNum": 1, "pageSize": 10}, expect="0000")["resultSet"][0]["id"]

    operator.call("/admin/loans/list", {"applyId": apply_id})
    operator.call("/admin/loans/review", {"applyId": apply_id, "decision": "approve", "remark": "核实无误"})
    operator.call("/admin/loans/review", {"applyId": apply_id, "decision": "approve"}, expect="20008001")
    operator.call("/admin/loans/disburse", {"applyId": apply_id})
    operator.call("/admin/payments/list", {"mobile": number})
    operator.call("/admin/loans/detail", {"applyId": apply_id})
    operator.call("/admin/loans/overview", {"applyId": apply_id})
    operator.call("/admin/users/detail", {"mobile": number})
    operator.call("/admin/ledger/trialBalance", {})
    operator.call("/admin/reconciliation/mismatches", {})
    operator.call("/admin/audit/list", {"pageSize": 5})
    payout = operator.call("/admin/payments/list", {"mobile": number, "kind": "payout"})["resultSet"][0]["orderNo"]
    operator.call("/admin/payments/settle", {"orderNo": payout})
    operator.call("/admin/payments/resolve", {"orderNo": payout, "resolution": "failed", "evidence": "-"}, expect="99990007")
    operator.call("/admin/reconciliation/run", {"date": datetime.date.today().isoformat()})
    operator.call("/admin/ledger/fund", {"amount": "100000.00", "remark": "journey"})
    operator.call("/admin/collections/list", {"minDays": "1"})
    operator.call("/admin/contracts/verify", {"applyId": apply_id})
    operator.call("/admin/users/update", {"mobile": number, "isRisk": "0"})
    operator.call("/admin/products/list", {})
    operator.call("/admin/approvals/list", {"status": "pending"})
    name = f"journey{random.randrange(10**6)}"
    created = operator.call("/admin/operators/create", {"username": name, "email": f"{name}@staff.example", "roles": ["finance"]})
    operator.call("/admin/operators/update", {"id": created["resultSet"]["id"], "reset": True})
    operator.call("/admin/operators/update", {"id": created["resultSet"]["id"], "disabled": True})
    operator.call("/admin/operators/list", {})
    user_id = operator.call("/admin/loans/list", {"applyId": apply_id})["resultSet"][0]["userId"]
    operator.call("/admin/reveal", {"field": "mobile", "userId": user_id, "reason": "journey check"})
    operator.call("/admin/messages/system", {"messageTitle": "公告", "messageContent": "系统维护", "messageType": "1", "eventUrl": ""})
    operator.call("/admin/appVersions/publish", {"appType": "1", "latestVersion": "1.3.0", "minSupportedVersion": "1.1.0",
                                                 "downloadUrl": "https://example.com/app.apk", "releaseNotes": "修复"})

    app.call("/appCommonApi/getLoanApplyInfoList", {}, expect="0000")
    plan = app.call("/appCommonApi/getLoanApplyRepayList", {"loanProductApplyId": apply_id}, expect="0000")["resultSet"]
    app.call("/appCommonApi/getRepayInfoList", {"condition": "2"}, expect="0000")
    app.call("/appCommonApi/getUserCenterInfo", expect="0000")
    app.call("/appCommonApi/gotoRepayment", {"id": "no-such-period", "repayType": "current"}, expect="20006001")
    app.call("/appCommonApi/gotoRepayment", {"id": plan[0]["repayId"], "repayType": "current"}, expect="0000")
    app.call("/appCommonApi/gotoRepayment", {"id": plan[0]["repayId"], "repayType": "current"}, expect="20006002")
    app.call("/appCommonApi/getRepayInfoList", {}, expect="0000")
    app.call("/appCommonApi/getCustomMessage", {"pageNum": "1", "pageSize": "20"}, expect="0000")
    app.call("/openCommonApi/getSystemMessage", {}, expect="0000")
    app.call("/appApi/appVersionDetection", {"appType": "1", "appVersion": "1.0.0"}, expect=None)
    app.call("/appApi/commitSuggestion", {"mobile": number, "suggestion": "好用", "source": "journey"}, expect="20003006")
    app.call("/appCommonApi/withdrawConsent", {"consentType": "contacts"}, expect="0000")
    app.call("/appApi/quitMobileLogin", {"sessionId": token}, expect="20003010")
    app.session = None
    app.call("/appApi/modifyPwd", {"mobile": number, "oldPassword": encrypt(password), "newPassword": encrypt("Journey-2027")}, expect="20003004")


def main():
    app = App(Document("app", fetch(API + "/openapi.json")))
    operator = Operator(Document("admin", fetch(ADMIN + "/openapi.json", {"Authorization": "Bearer " + ADMIN_TOKEN})))
    journey(app, operator)
    print(f"checked {checked['app']} app and {checked['admin']} admin exchanges against the documents")
    if failures:
        print("\n".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
