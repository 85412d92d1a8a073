export const id = 765;
export const ids = [765];
export const modules = {

/***/ 3765:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   parseRetryMode: () => (/* reexport safe */ _client__WEBPACK_IMPORTED_MODULE_0__.tM)
/* harmony export */ });
/* harmony import */ var _client__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6046);
















/***/ })

};
